import CallCoachAudio
import Testing

@Suite struct LoudnessTests {
    @Test func mapsMinusSixtyToZeroAndFullScaleToHundred() {
        #expect(Loudness.score(level: -60) == 0)
        #expect(Loudness.score(level: -30) == 50)
        #expect(Loudness.score(level: 0) == 100)
        #expect(Loudness.score(level: -90) == 0)
        #expect(Loudness.score(level: 6) == 100)
    }

    @Test func measuresRMSOfSamples() {
        #expect(Loudness.score(of: [Float](repeating: 1, count: 100)) == 100)
        #expect(Loudness.score(of: [Float](repeating: 0, count: 100)) == 0)
        #expect(Loudness.score(of: [Float]()) == 0)
        let sine = sineWave(frequency: 1_000, amplitude: 0.1, sampleRate: 16_000, seconds: 1)
        #expect(abs(Loudness.level(of: sine) - -23.01) < 0.01)
    }
}

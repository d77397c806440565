import CallCoachAudio
import Foundation
import Testing

@Suite struct ResamplerTests {
    @Test(arguments: [8_000, 11_025, 22_050, 44_100, 48_000, 96_000, 12_345, 16_000])
    func chunkedEqualsWhole(rate: Int) {
        let input = (0..<(rate * 3 / 2)).map { index -> Float in
            let time = Double(index)
            return Float(0.5 * sin(time * 0.05) + 0.3 * cos(time * 0.31))
        }
        let whole = resampleWhole(input, from: rate)

        var resampler = Resampler(inputRate: rate)
        var chunked: [Float] = []
        let sizes = [0, 1, 7, 160, 1_000, 4_099]
        var start = 0
        var step = 0
        while start < input.count {
            let end = min(input.count, start + sizes[step % sizes.count])
            chunked += resampler.process(Array(input[start..<end]))
            start = end
            step += 1
        }
        chunked += resampler.finish()

        #expect(whole.count == (input.count * 16_000 + rate - 1) / rate)
        #expect(chunked.count == whole.count)
        #expect(zip(whole, chunked).allSatisfy { abs($0 - $1) <= 1e-4 })
    }

    @Test func keepsFrequencyAndAmplitudeOfOneKilohertzToneFrom48k() {
        let tone = sineWave(frequency: 1_000, amplitude: 0.5, sampleRate: 48_000, seconds: 2)
        let output = resampleWhole(tone, from: 48_000)
        let steady = output[1_600..<17_600]  // one second away from both ends

        #expect(output.count == 32_000)
        #expect(abs(rising(steady) - 1_000) <= 1)
        #expect(abs(toneAmplitude(steady, frequency: 1_000, sampleRate: 16_000) - 0.5) < 0.005)
        #expect(abs(Double(steady.max()!) - 0.5) < 0.005)
    }

    @Test func removesContentAboveTheNewNyquistInsteadOfAliasing() {
        // 10 kHz would alias to 6 kHz at 16 kHz.
        let tone = sineWave(frequency: 10_000, amplitude: 0.5, sampleRate: 48_000, seconds: 1)
        let output = resampleWhole(tone, from: 48_000)[1_600..<14_400]
        #expect(toneAmplitude(output, frequency: 6_000, sampleRate: 16_000) < 0.5 * 1e-3)
    }

    @Test func upsamplesTelephoneAudioWithoutImages() {
        let tone = sineWave(frequency: 1_000, amplitude: 0.5, sampleRate: 8_000, seconds: 1)
        let output = resampleWhole(tone, from: 8_000)[1_600..<14_400]

        #expect(abs(toneAmplitude(output, frequency: 1_000, sampleRate: 16_000) - 0.5) < 0.005)
        // The image of 1 kHz around 8 kHz lands at 7 kHz.
        #expect(toneAmplitude(output, frequency: 7_000, sampleRate: 16_000) < 0.5 * 1e-3)
    }

    @Test func keepsTelephoneBandFlat() {
        let tone = sineWave(frequency: 3_000, amplitude: 0.5, sampleRate: 8_000, seconds: 1)
        let output = resampleWhole(tone, from: 8_000)[1_600..<14_400]
        #expect(abs(toneAmplitude(output, frequency: 3_000, sampleRate: 16_000) - 0.5) < 0.01)
    }

    @Test func passesSixteenKilohertzThroughUnchanged() {
        let input: [Float] = [0.1, -0.2, 0.3]
        #expect(resampleWhole(input, from: 16_000) == input)
    }
}

import CallCoachAudio
import Foundation
import Testing

@Suite struct VoiceActivityDetectorTests {
    static let tolerance = 0.150

    @Test(arguments: [AudioFormat.wav, .flac, .ogg, .mp3])
    func findsEachVoiceOnlyWhereItSpeaks(format: AudioFormat) throws {
        let fixtures = try Fixtures.shared.get()
        let path = fixtures.stereoFiles.first { $0.hasSuffix(".\(format.rawValue)") }!
        let prepared = try prepare(path: path, channelMap: .agentLeft, pcmDirectory: try fixtures.scratchDirectory())
        let left = prepared.channels[0].segments
        let right = prepared.channels[1].segments

        #expect(left.count == 1)
        #expect(right.count == 2)
        for (segment, expected) in zip(left + right, [fixtures.leftSpeech] + fixtures.rightSpeech) {
            #expect(abs(segment.start - expected.lowerBound) <= Self.tolerance, "\(segment) vs \(expected)")
            #expect(abs(segment.end - expected.upperBound) <= Self.tolerance, "\(segment) vs \(expected)")
            #expect(segment.loudness > 40 && segment.loudness < 95)
        }
        let gapStart = fixtures.rightSpeech[0].upperBound + Self.tolerance
        let gap = gapStart...(fixtures.rightSpeech[1].lowerBound - Self.tolerance)
        #expect(!right.contains { overlaps($0, gap) })
        #expect(!right.contains { overlaps($0, fixtures.leftSpeech) })
        #expect(!left.contains { overlaps($0, fixtures.rightSpeech[0]) || overlaps($0, fixtures.rightSpeech[1]) })
    }

    @Test func findsTelephoneSpeechAfterUpsampling() throws {
        let fixtures = try Fixtures.shared.get()
        let prepared = try prepare(
            path: fixtures.telephone, channelMap: nil, pcmDirectory: try fixtures.scratchDirectory())
        let segments = prepared.channels[0].segments
        #expect(segments.count == 1)
        #expect(abs(segments[0].start - fixtures.telephoneSpeech.lowerBound) <= Self.tolerance)
        #expect(abs(segments[0].end - fixtures.telephoneSpeech.upperBound) <= Self.tolerance)
    }

    @Test func findsNoSpeechInSilenceOrSteadyRoomNoise() throws {
        let fixtures = try Fixtures.shared.get()
        for path in [fixtures.digitalSilence, fixtures.roomNoise] {
            let decoded = try DecodedFile(path: path)
            #expect(VoiceActivityDetector.segments(in: decoded.channels[0]).isEmpty, "\(path)")
        }
    }

    @Test func findsBurstsAboveLoudNoiseThroughTheAdaptiveFloor() {
        // Noise at about −40 dBFS is above the absolute −50 dBFS floor; only the tone bursts are speech.
        let signal = bursts([(1.0, 2.0), (3.5, 4.2)], amplitude: 0.2, noise: 0.017, seconds: 6)
        let segments = VoiceActivityDetector.segments(in: signal)
        #expect(segments.count == 2)
        expect(segments, near: [(1.0, 2.0), (3.5, 4.2)])
    }

    @Test func mergesSegmentsCloserThanThreeHundredMilliseconds() {
        let signal = bursts([(1.0, 1.4), (1.6, 2.0)], amplitude: 0.2, noise: 0, seconds: 3)
        expect(VoiceActivityDetector.segments(in: signal), near: [(1.0, 2.0)])
    }

    @Test func keepsSegmentsFurtherApartSeparate() {
        let signal = bursts([(1.0, 1.4), (2.0, 2.4)], amplitude: 0.2, noise: 0, seconds: 3)
        expect(VoiceActivityDetector.segments(in: signal), near: [(1.0, 1.4), (2.0, 2.4)])
    }

    @Test func dropsBurstsShorterThanTwoHundredMilliseconds() {
        let signal = bursts([(1.0, 1.1), (2.0, 2.5)], amplitude: 0.2, noise: 0, seconds: 3)
        expect(VoiceActivityDetector.segments(in: signal), near: [(2.0, 2.5)])
    }

    @Test func reportsLoudnessOfTheSpeech() throws {
        // A 0.1 sine is −23 dBFS RMS: loudness (60 − 23) / 60 × 100 ≈ 61.7.
        let signal = bursts([(1.0, 3.0)], amplitude: 0.1, noise: 0, seconds: 4)
        let segment = try #require(VoiceActivityDetector.segments(in: signal).first)
        #expect(abs(segment.loudness - 61.7) < 1)
    }

    @Test func streamingInChunksGivesTheSameSegments() {
        let signal = bursts(
            [(0.2, 0.9), (1.5, 1.7), (2.0, 3.1), (5.0, 9.0)], amplitude: 0.3, noise: 0.001, seconds: 12)
        var detector = VoiceActivityDetector()
        var segments: [SpeechSegment] = []
        var start = 0
        while start < signal.count {
            let end = min(signal.count, start + 777)
            segments += detector.process(Array(signal[start..<end]))
            start = end
        }
        segments += detector.finish()
        #expect(segments == VoiceActivityDetector.segments(in: signal))
        #expect(segments.count == 3)
    }

    private func overlaps(_ segment: SpeechSegment, _ range: ClosedRange<Double>) -> Bool {
        segment.start < range.upperBound && segment.end > range.lowerBound
    }

    private func expect(
        _ segments: [SpeechSegment], near expected: [(Double, Double)],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(segments.count == expected.count, "\(segments)", sourceLocation: sourceLocation)
        for (segment, (start, end)) in zip(segments, expected) {
            #expect(abs(segment.start - start) <= 0.05, "\(segment)", sourceLocation: sourceLocation)
            #expect(abs(segment.end - end) <= 0.05, "\(segment)", sourceLocation: sourceLocation)
        }
    }

    /// 16 kHz white noise of RMS `noise` with 440 Hz tone bursts of peak `amplitude` at the given times.
    private func bursts(_ times: [(Double, Double)], amplitude: Double, noise: Double, seconds: Double) -> [Float] {
        let random = pseudoRandomBytes(count: Int(seconds * 16_000), seed: 5)
        return random.enumerated().map { index, byte in
            let time = Double(index) / 16_000
            let background = (Double(byte) / 255 - 0.5) * noise * 12.0.squareRoot()
            let speaking = times.contains { time >= $0.0 && time < $0.1 }
            return Float(background + (speaking ? amplitude * sin(2 * Double.pi * 440 * time) : 0))
        }
    }
}

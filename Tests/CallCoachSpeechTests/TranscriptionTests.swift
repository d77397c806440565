import CallCoachAnalysis
import CallCoachAudio
@testable import CallCoachSpeech
import CallCoachTesting
import Foundation
import Synchronization
import Testing

@Suite struct ClipTests {
    func segment(_ start: Double, _ end: Double) -> SpeechSegment {
        SpeechSegment(start: start, end: end, loudness: 50)
    }

    @Test func closeSegmentsShareAStretchAndLongOnesAreCut() {
        let stretches = ChannelTranscription.stretches(of: [
            segment(0, 2), segment(3, 5),  // 1 s apart: one stretch
            segment(8, 9),  // 3 s after: a new stretch
            segment(9.5, 40),  // joining would make 32 s: its own stretch, cut at 30 s
            segment(40.5, 41),
        ])
        #expect(stretches.map(\.start) == [0, 8, 9.5, 39.5])
        #expect(stretches.map(\.end) == [5, 9, 39.5, 41])
        #expect(ChannelTranscription.clips(of: []).isEmpty)
    }

    @Test func stretchesArePackedIntoClipsOfAtMostThirtySeconds() {
        // Turns of a call: 4 s of speech every 10 s, the other party speaking in between.
        let turns = (0..<8).map { segment(Double($0) * 10, Double($0) * 10 + 4) }
        let clips = ChannelTranscription.clips(of: turns)
        #expect(clips.map(\.stretches.count) == [6, 2], "six turns and five spacers fill 26.5 s")
        #expect(clips[0].offsets == [0, 4.5, 9, 13.5, 18, 22.5])
        #expect(clips.allSatisfy { $0.duration <= ChannelTranscription.maximumClip })
        #expect(clips[0].callTime(5) == 10.5, "half a second into the second stretch")
        #expect(clips[0].callTime(4.2) == 4, "inside a spacer: the end of the stretch before")
    }

    @Test func aSegmentHeardAcrossTwoStretchesIsSplitByItsWords() {
        let clip = ChannelTranscription.clips(of: [segment(10, 12), segment(20, 23)])[0]
        let heard = [
            RecognizedSegment(
                start: 0.1, end: 4.9, text: " yes please. the account",
                words: [
                    Word(text: "yes", start: 0.2, end: 0.6), Word(text: "please.", start: 0.7, end: 1.5),
                    Word(text: "the", start: 2.6, end: 2.8), Word(text: "account", start: 2.9, end: 3.6),
                ]),
            RecognizedSegment(start: 3.8, end: 5, text: " thanks"),
        ]
        let placed = ChannelTranscription.place(heard, in: clip)
        #expect(placed.map(\.1.text) == ["yes please.", "the account", "thanks"])
        #expect(placed.map(\.0.start) == [10, 20, 20])
        #expect(placed[0].1.start == 10.2 && placed[0].1.end == 11.5)
        #expect(placed[1].1.words.map(\.start) == [20.1, 20.4])
        #expect(abs(placed[2].1.start - 21.3) < 1e-9 && placed[2].1.end <= 23)
    }

    @Test func loudnessIsWeightedBySecondsInsideTheClip() {
        let segments = [SpeechSegment(start: 0, end: 1, loudness: 20), SpeechSegment(start: 1, end: 4, loudness: 60)]
        #expect(ChannelTranscription.loudness(of: segments, from: 0, to: 4) == 50)
        #expect(ChannelTranscription.loudness(of: segments, from: 5, to: 6) == nil)
    }
}

@Suite struct OpenAICompatibleTests {
    func clip(seconds: Double, start: Double = 0) -> SpeechClip {
        SpeechClip(samples: [Int16](repeating: 100, count: Int(seconds * 16_000)), start: start)
    }

    @Test func aClipIsSentAsAWAVFormAndTheAnswerKeepsItsWordTimings() async throws {
        let standIn = try TranscriptionStandIn(phrase: "thank you for calling")
        defer { standIn.stop() }
        let transcriber = OpenAICompatibleTranscriber(
            baseURL: try #require(URL(string: standIn.baseURL)), model: "whisper-1", apiKey: "sk-test-123")
        let heard = try await transcriber.recognize(clip(seconds: 2))
        let request = try #require(standIn.received.first)
        #expect(request.authorization == "Bearer sk-test-123")
        #expect(request.fields["model"] == ["whisper-1"])
        #expect(request.fields["response_format"] == ["verbose_json"])
        #expect(request.fields["timestamp_granularities[]"] == ["segment", "word"])
        #expect(request.sampleRate == 16_000 && request.sampleCount == 32_000)
        #expect(heard.count == 1)
        #expect(heard[0].text == " thank you for calling" && heard[0].start == 0 && heard[0].end == 2)
        #expect(heard[0].words.map(\.text) == ["thank", "you", "for", "calling"])
        #expect(heard[0].words.map(\.start) == [0, 0.5, 1, 1.5])
        #expect(transcriber.name == "openai-compatible:whisper-1")
    }

    @Test func refusalsNeedAPersonAndOutagesAreRetried() async throws {
        let standIn = try TranscriptionStandIn(phrase: "hello")
        defer { standIn.stop() }
        let transcriber = OpenAICompatibleTranscriber(
            baseURL: try #require(URL(string: standIn.baseURL)), model: "m", apiKey: nil)
        for (status, retryable) in [(401, false), (404, false), (400, false), (429, true), (500, true), (503, true)] {
            standIn.answer(with: status)
            let error = await #expect(throws: TranscriptionError.self) {
                try await transcriber.recognize(clip(seconds: 1))
            }
            #expect(error?.retryable == retryable, "\(status)")
            #expect(error?.reason.contains("hello") == false)
        }
        #expect(standIn.received.allSatisfy { $0.authorization == nil }, "no key configured, none sent")

        let gone = OpenAICompatibleTranscriber(
            baseURL: try #require(URL(string: "http://127.0.0.1:\(try freeLoopbackPort())/v1")), model: "m",
            apiKey: nil,
            timeout: 5)
        let error = await #expect(throws: TranscriptionError.self) { try await gone.recognize(clip(seconds: 1)) }
        #expect(error?.retryable == true)
    }

    @Test func answersWithoutSegmentsOrWithOddWordsStillMap() {
        let plain = OpenAICompatibleTranscriber.Answer(text: "just text", segments: nil, words: nil)
        #expect(
            OpenAICompatibleTranscriber.segments(plain, clipDuration: 3) == [
                RecognizedSegment(start: 0, end: 3, text: "just text")
            ])
        let split = OpenAICompatibleTranscriber.Answer(
            text: nil, segments: [.init(start: 0, end: 1, text: "a"), .init(start: 1, end: 2, text: "b")],
            words: [.init(word: " a", start: 0.1, end: 0.9), .init(word: "b ", start: 0.9, end: 1.5)])
        let mapped = OpenAICompatibleTranscriber.segments(split, clipDuration: 2)
        #expect(mapped.map { $0.words.map(\.text) } == [["a"], ["b"]], "a word goes where its middle is")
        #expect(
            OpenAICompatibleTranscriber.segments(.init(text: "", segments: [], words: nil), clipDuration: 1).isEmpty)
    }
}

/// Counts progress reports from the transcription driver.
final class ProgressLog: Sendable {
    let shares = Mutex<[Double]>([])
}

@Suite struct ChannelTranscriptionTests {
    static func run(_ arguments: [String]) throws {
        try runTool(arguments[0], Array(arguments.dropFirst()))
    }

    @Test func eachChannelIsHeardOnItsSpeechAndPlacedOnTheCallsTimeline() async throws {
        let directory = try TemporaryDirectory()
        try Self.run(["espeak-ng", "-w", directory.file("a.wav"), "Thank you for calling, how can I help?"])
        try Self.run(["espeak-ng", "-w", directory.file("c.wav"), "My card was charged twice."])
        try Self.run(["sox", directory.file("a.wav"), "-r", "8000", directory.file("left.wav"), "pad", "0.5", "8"])
        try Self.run(["sox", directory.file("c.wav"), "-r", "8000", directory.file("right.wav"), "pad", "6", "2"])
        try Self.run(["sox", "-M", directory.file("left.wav"), directory.file("right.wav"), directory.file("call.wav")])
        let prepared = try prepare(
            path: directory.file("call.wav"), channelMap: try ChannelMap(["left": "agent", "right": "customer"]),
            pcmDirectory: directory.path)

        let standIn = try TranscriptionStandIn(phrase: "words heard")
        defer { standIn.stop() }
        let transcriber = OpenAICompatibleTranscriber(
            baseURL: try #require(URL(string: standIn.baseURL)), model: "m", apiKey: nil)
        let log = ProgressLog()
        let transcript = try await ChannelTranscription(transcriber: transcriber).transcribe(prepared) { share in
            log.shares.withLock { $0.append(share) }
        }
        #expect(transcript.speakers.map(\.role) == [.agent, .customer])
        let agent = transcript.utterances.filter { $0.speaker == "agent" }
        let customer = transcript.utterances.filter { $0.speaker == "customer" }
        #expect(!agent.isEmpty && !customer.isEmpty)
        // Each utterance lies inside its channel's speech, never in the silence around it.
        #expect(agent.allSatisfy { $0.start >= 0.3 && $0.end <= 5 }, "\(agent.map { ($0.start, $0.end) })")
        #expect(customer.allSatisfy { $0.start >= 5.8 && $0.end <= 9 }, "\(customer.map { ($0.start, $0.end) })")
        #expect(transcript.utterances.allSatisfy { $0.text == "words heard" && $0.loudness != nil })
        let words = try #require(customer.first?.words)
        #expect(words.first!.start == customer.first!.start, "word times move with their clip")
        #expect(transcript.utterances.map(\.id) == transcript.utterances.indices.map { "u\($0 + 1)" })
        // Only speech was sent: far less audio than the call's two 10-second channels.
        let sentSeconds = standIn.received.reduce(0.0) { $0 + Double($1.sampleCount) / 16_000 }
        #expect(sentSeconds < 9, "\(sentSeconds)")
        let shares = log.shares.withLock { $0 }
        #expect(shares == shares.sorted() && shares.last == 1)
    }
}

import CallCoachServer
import CallCoachSpeech
import CallCoachTesting
import Foundation
import Testing

/// whisper.cpp through Swift, on the converted models the set-up installed and the public-domain
/// `jfk.wav` that ships with whisper.cpp.
@Suite struct WhisperModelTests {
    static let directory = Configuration().modelsDirectory

    /// The samples of a 16-bit mono WAV file: everything after its `data` chunk header.
    static func samples(_ path: String) throws -> [Int16] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var offset = 12
        while offset + 8 <= bytes.count {
            let size =
                Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
                | Int(bytes[offset + 7]) << 24
            if bytes[offset..<(offset + 4)].elementsEqual("data".utf8) {
                let body = bytes[(offset + 8)..<min(bytes.count, offset + 8 + size)]
                return stride(from: body.startIndex, to: body.endIndex - 1, by: 2).map {
                    Int16(bitPattern: UInt16(body[$0]) | UInt16(body[$0 + 1]) << 8)
                }
            }
            offset += 8 + size + size % 2
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    @Test func jfkComesBackVerbatimWithWordTimings() async throws {
        let model = WhisperModel(name: "tiny.en", path: Self.directory + "/ggml-tiny.en.bin", threads: 2)
        let audio = try Self.samples(Self.directory + "/samples/jfk.wav")
        let segments = try await WhisperTranscriber(model: model).recognize(SpeechClip(samples: audio, start: 0))
        let text = segments.map(\.text).joined().lowercased().filter { $0.isLetter || $0 == " " }
        #expect(
            text.contains("ask not what your country can do for you ask what you can do for your country"), "\(text)")
        let words = segments.flatMap(\.words)
        #expect(words.count >= 20 && words.count <= 24, "\(words.map(\.text))")
        #expect(words.first?.text == "And")
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start }, "words in order")
        #expect(words.allSatisfy { $0.start >= 0 && $0.end <= 11.1 && $0.start <= $0.end })
        // "country" is said twice: near the 5th second, and at the end.
        let country = words.filter { $0.text.lowercased().hasPrefix("country") }.map(\.start)
        #expect(country.count == 2 && country[0] > 3 && country[0] < 7.5 && country[1] > 8, "\(country)")
        #expect(model.loadedBytes > 10_000_000, "the loaded model's memory is measured")
        #expect(try await model.recognize([]).isEmpty)
    }

    @Test func aCorruptOrMissingModelIsAClearPermanentError() async throws {
        let folder = try TemporaryDirectory()
        #expect(WhisperModel.check(folder.file("none.bin")) == "the model file \(folder.file("none.bin")) is missing")
        let corrupt = folder.file("ggml-tiny.en.bin")
        try Data(repeating: 0x41, count: 3_000_000).write(to: URL(fileURLWithPath: corrupt))
        let model = WhisperModel(name: "tiny.en", path: corrupt, threads: 1)
        await #expect(
            throws: TranscriptionError("the model file \(corrupt) is not a ggml Whisper model", retryable: false)
        ) {
            _ = try await model.recognize([Int16](repeating: 0, count: 16_000))
        }
        // Right magic, wrong body: whisper.cpp refuses it, every time, without a crash.
        let truncated = folder.file("truncated.bin")
        let real = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/ggml-tiny.en.bin"))
        try real.prefix(2_000_000).write(to: URL(fileURLWithPath: truncated))
        let broken = WhisperModel(name: "tiny.en", path: truncated, threads: 1)
        for _ in 0..<2 {
            await #expect(
                throws: TranscriptionError("the model file \(truncated) could not be loaded", retryable: false)
            ) {
                _ = try await broken.recognize([Int16](repeating: 0, count: 16_000))
            }
        }
    }
}

import CallCoachAnalysis
import CallCoachAudio
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Any server that speaks OpenAI's `POST /v1/audio/transcriptions` (a hosted provider, a
/// whisper.cpp or faster-whisper server): each clip is sent as a WAV file and read back as
/// `verbose_json` with segment and word timings.
///
/// The answer's body is never logged or repeated in an error: it may hold the call's words.
public struct OpenAICompatibleTranscriber: Transcriber {
    /// Up to and including the API version, e.g. `https://api.openai.com/v1`.
    public let baseURL: URL
    public let model: String
    let apiKey: String?
    let timeout: TimeInterval

    public init(baseURL: URL, model: String, apiKey: String?, timeout: TimeInterval = 120) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
    }

    public var name: String { "openai-compatible:\(model)" }

    struct Answer: Decodable {
        struct Segment: Decodable {
            let start: Double
            let end: Double
            let text: String
        }
        struct Timed: Decodable {
            let word: String
            let start: Double
            let end: Double
        }
        let text: String?
        let segments: [Segment]?
        let words: [Timed]?
    }

    public func recognize(_ clip: SpeechClip) async throws(TranscriptionError) -> [RecognizedSegment] {
        let boundary = "callcoach-\(UUID().uuidString)"
        var request = URLRequest(url: baseURL.appendingPathComponent("audio/transcriptions"), timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(Self.form(clip, model: model, boundary: boundary))
        let data: Data
        let status: Int
        do {
            let (body, response) = try await URLSession.shared.data(for: request)
            data = body
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
        } catch {
            throw TranscriptionError("the transcription provider could not be reached", retryable: true)
        }
        switch status {
        case 200: break
        case 401, 403:
            throw TranscriptionError("the transcription provider refused the API key (\(status))", retryable: false)
        case 404: throw TranscriptionError("the transcription provider has no such endpoint or model", retryable: false)
        case 400, 413, 415, 422:
            throw TranscriptionError("the transcription provider refused the request (\(status))", retryable: false)
        default: throw TranscriptionError("the transcription provider answered \(status)", retryable: true)
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw TranscriptionError("the transcription provider's answer is not verbose_json", retryable: true)
        }
        return Self.segments(answer, clipDuration: clip.duration)
    }

    /// The segments of an answer, each with the words whose middle falls inside it. An answer
    /// without segments is one segment spanning the clip.
    static func segments(_ answer: Answer, clipDuration: Double) -> [RecognizedSegment] {
        let words = (answer.words ?? []).map {
            Word(text: $0.word.trimmingCharacters(in: .whitespaces), start: $0.start, end: $0.end)
        }
        guard let segments = answer.segments, !segments.isEmpty else {
            guard let text = answer.text, !text.isEmpty else { return [] }
            return [RecognizedSegment(start: 0, end: clipDuration, text: text, words: words)]
        }
        return segments.map { segment in
            RecognizedSegment(
                start: segment.start, end: segment.end, text: segment.text,
                words: words.filter { word in
                    let middle = (word.start + word.end) / 2
                    return middle >= segment.start && middle < segment.end
                })
        }
    }

    /// The multipart form: the clip as a WAV file, the model, and the answer format asked for.
    static func form(_ clip: SpeechClip, model: String, boundary: String) -> [UInt8] {
        func field(_ name: String, _ value: String) -> [UInt8] {
            Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        var body = field("model", model) + field("response_format", "verbose_json")
        body += field("timestamp_granularities[]", "segment") + field("timestamp_granularities[]", "word")
        body += Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").utf8)
        body += WAVHeader.pcm16(sampleRate: SpeechClip.sampleRate, channels: 1, dataBytes: clip.samples.count * 2)
        body.reserveCapacity(body.count + clip.samples.count * 2 + 64)
        for sample in clip.samples {
            let value = UInt16(bitPattern: sample)
            body.append(UInt8(truncatingIfNeeded: value))
            body.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return body
    }
}

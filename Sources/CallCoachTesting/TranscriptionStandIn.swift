import CallCoachHTTP
import CallCoachTelemetry
import Foundation
import Synchronization

/// An OpenAI-compatible transcription server on loopback, for tests: it parses each
/// `POST /v1/audio/transcriptions` form as a real provider would, records what came, and answers
/// `verbose_json` with the configured phrase spread over the clip, or with the configured status.
public final class TranscriptionStandIn: Sendable {
    /// What one request carried.
    public struct Received: Sendable {
        public let authorization: String?
        public let fields: [String: [String]]
        /// Samples of the WAV file, per its header and length.
        public let sampleCount: Int
        public let sampleRate: Int
    }

    final class State: Sendable {
        let mutex: Mutex<(received: [Received], status: Int, phrase: String)>
        let delay = Mutex<Duration>(.zero)
        init(phrase: String) { mutex = Mutex(([], 200, phrase)) }
    }

    public let server: HTTPServer
    private let state: State

    public init(phrase: String) throws {
        let state = State(phrase: phrase)
        self.state = state
        var router = Router()
        router.add(.post, "/v1/audio/transcriptions") { request in
            guard let boundary = MultipartParser.boundary(fromContentType: request.headers["Content-Type"]) else {
                return Response(status: 400)
            }
            var parser = MultipartParser(boundary: boundary)
            var fields: [String: [String]] = [:]
            var file: [UInt8] = []
            var current = ""
            var value: [UInt8] = []
            for event in try parser.feed(try await request.body.collect(upTo: 64 << 20)) {
                switch event {
                case .head(let head): current = head.name
                case .content(let bytes): if current == "file" { file += bytes } else { value += bytes }
                case .end:
                    if current != "file" { fields[current, default: []].append(String(decoding: value, as: UTF8.self)) }
                    value = []
                }
            }
            guard file.count >= 44, Array(file[0..<4]) == Array("RIFF".utf8) else { return Response(status: 400) }
            let rate = (24..<28).reduce(0) { $0 | Int(file[$1]) << (8 * ($1 - 24)) }
            let received = Received(
                authorization: request.headers["Authorization"], fields: fields, sampleCount: (file.count - 44) / 2,
                sampleRate: rate)
            let (status, phrase) = state.mutex.withLock { state in
                state.received.append(received)
                return (state.status, state.phrase)
            }
            try await Task.sleep(for: state.delay.withLock { $0 })
            guard status == 200 else { return Response(status: status) }
            return Response(
                status: 200, headers: ["Content-Type": "application/json"],
                body: Self.answer(phrase, duration: Double(received.sampleCount) / Double(max(rate, 1))))
        }
        server = try HTTPServer(
            application: HTTPApplication(router: router, logger: Logger(sink: MemorySink())),
            configuration: ListenerConfiguration(host: "127.0.0.1", port: 0))
    }

    /// `http://127.0.0.1:PORT/v1`, the base address a company configures.
    public var baseURL: String { "http://127.0.0.1:\(server.port)/v1" }

    public var received: [Received] { state.mutex.withLock { $0.received } }

    /// Makes every following request answer `status` (200 to answer normally again).
    public func answer(with status: Int) { state.mutex.withLock { $0.status = status } }

    /// Makes every following request wait this long before it is answered, as a busy provider does.
    public func delay(_ duration: Duration) { state.delay.withLock { $0 = duration } }

    /// One segment over the whole clip, its words spaced evenly across it.
    static func answer(_ phrase: String, duration: Double) -> [UInt8] {
        let words = phrase.split(separator: " ")
        let step = duration / Double(max(words.count, 1))
        let timed = words.enumerated().map { index, word in
            #"{"word":"\#(word)","start":\#(Double(index) * step),"end":\#(Double(index + 1) * step)}"#
        }
        return Array(
            #"{"text":"\#(phrase)","segments":[{"start":0,"end":\#(duration),"text":" \#(phrase)"}],"words":[\#(timed.joined(separator: ","))]}"#
                .utf8)
    }

    public func stop() { server.shutdown(grace: .zero) }
}

import CallCoachHTTP
import CallCoachTelemetry
import Foundation
import Synchronization

/// An OpenAI-compatible chat-completions server on loopback, for tests: it records each
/// `POST /v1/chat/completions` body and answers with the configured reply as the assistant's
/// message, or with the configured status.
public final class ChatStandIn: Sendable {
    public struct Received: Sendable {
        public let authorization: String?
        /// The request body as JSON text.
        public let body: String
    }

    final class State: Sendable {
        let mutex: Mutex<(received: [Received], status: Int, reply: String)>
        init(reply: String) { mutex = Mutex(([], 200, reply)) }
    }

    private let state: State
    public let server: HTTPServer

    public init(reply: String) throws {
        let state = State(reply: reply)
        self.state = state
        var router = Router()
        router.add(.post, "/v1/chat/completions") { request in
            let body = String(decoding: try await request.body.collect(upTo: 1 << 20), as: UTF8.self)
            let (status, reply) = state.mutex.withLock { state in
                state.received.append(Received(authorization: request.headers["Authorization"], body: body))
                return (state.status, state.reply)
            }
            guard status == 200 else { return Response(status: status) }
            let answer: [String: Any] = ["choices": [["message": ["role": "assistant", "content": reply]]]]
            return Response(
                status: 200, headers: ["Content-Type": "application/json"],
                body: Array(try JSONSerialization.data(withJSONObject: answer)))
        }
        server = try HTTPServer(
            application: HTTPApplication(router: router, logger: Logger(sink: MemorySink())),
            configuration: ListenerConfiguration(host: "127.0.0.1", port: 0))
    }

    /// `http://127.0.0.1:PORT/v1`, the base address a company configures.
    public var baseURL: String { "http://127.0.0.1:\(server.port)/v1" }

    public var received: [Received] { state.mutex.withLock { $0.received } }

    public func reply(_ text: String) { state.mutex.withLock { $0.reply = text } }

    public func answer(with status: Int) { state.mutex.withLock { $0.status = status } }

    public func stop() { server.shutdown(grace: .zero) }
}

import CMicroHTTPD
import Synchronization

/// A C pointer that MHD lets us use from any thread for the calls made here.
///
/// `@unchecked Sendable` is safe because the only calls made through it from other threads are
/// `MHD_resume_connection` and `MHD_quiesce_daemon`/`MHD_stop_daemon`, which MHD documents as
/// callable at any time, and every such call is serialised by the owner's lock.
struct CHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// One request in flight on a connection: the body flowing in, the response flowing out.
///
/// MHD delivers body chunks on its threads while the handler runs as a Swift task, so the two
/// meet here under one lock. The connection is suspended while the body buffer is full (so a
/// fast client cannot make the server hold a large body in memory) and while the handler has
/// not answered yet, and resumed when either changes.
final class Exchange: BodySource {
    /// Body bytes buffered before the connection is suspended.
    static let highWater = 1 << 20
    /// Body bytes an early response may still read and throw away before the connection is closed.
    static let discardLimit = 1 << 20

    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var buffered = 0
        var bodyFinished = false
        var closed = false
        var waiter: Waiter?
        var response: Response?
        var queued = false
        var suspended = false
        var discarded = 0

        mutating func pop() -> [UInt8]? {
            guard head < chunks.count else { return nil }
            let chunk = chunks[head]
            chunks[head] = []
            head += 1
            if head == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                head = 0
            }
            buffered -= chunk.count
            return chunk
        }
    }

    private let connection: CHandle
    private let state = Mutex(State())
    /// Where the largest buffered body size is recorded.
    let statistics: BodyStatistics
    let started: ContinuousClock.Instant
    let requestID: String

    /// The request's method, target and scheme, for a response made without its handler.
    let head: (method: HTTPMethod, target: String, scheme: String)

    init(
        connection: OpaquePointer, head: RequestHead, requestID: String, started: ContinuousClock.Instant,
        statistics: BodyStatistics
    ) {
        self.head = (head.method, head.target, head.scheme)
        self.statistics = statistics
        self.connection = CHandle(pointer: connection)
        self.requestID = requestID
        self.started = started
    }

    enum Delivery { case accepted, abort }

    typealias Waiter = CheckedContinuation<[UInt8]?, any Error>

    /// Takes one chunk from MHD's access handler. Called only on MHD's thread for this connection.
    func deliver(_ bytes: UnsafeRawBufferPointer) -> Delivery {
        let (delivery, waiter, chunk) = state.withLock { state -> (Delivery, Waiter?, [UInt8]) in
            if state.response != nil {
                state.discarded += bytes.count
                return (state.discarded > Self.discardLimit ? .abort : .accepted, nil, [])
            }
            let chunk = [UInt8](bytes)
            if let waiter = state.waiter.take() { return (.accepted, waiter, chunk) }
            state.chunks.append(chunk)
            state.buffered += chunk.count
            statistics.record(buffered: state.buffered)
            if state.buffered >= Self.highWater && !state.suspended {
                state.suspended = true
                MHD_suspend_connection(connection.pointer)
            }
            return (.accepted, nil, [])
        }
        // Resumed outside the lock: the handler may run on this very thread and read again.
        waiter?.resume(returning: chunk)
        return delivery
    }

    /// Marks the body complete. Called on MHD's thread when the final chunk has arrived.
    func finishBody() {
        let waiter = state.withLock { state in
            state.bodyFinished = true
            return state.waiter.take()
        }
        waiter?.resume(returning: nil)
    }

    /// The response to queue now, or `nil` after suspending the connection until there is one.
    func responseOrSuspend() -> Response? {
        state.withLock { state in
            if let response = state.response {
                guard !state.queued else { return nil }
                state.queued = true
                return response
            }
            if !state.suspended {
                state.suspended = true
                MHD_suspend_connection(connection.pointer)
            }
            return nil
        }
    }

    /// Stores the handler's response and wakes the connection to send it.
    func complete(with response: Response) {
        state.withLock { state in
            guard state.response == nil else { return }
            state.response = response
            resumeIfSuspended(&state)
        }
    }

    /// Whether a response has been stored.
    var isAnswered: Bool { state.withLock { $0.response != nil } }

    /// MHD finished with the connection: the response went out, or the client went away.
    func connectionClosed() {
        let waiter = state.withLock { state in
            state.closed = true
            return state.waiter.take()
        }
        waiter?.resume(throwing: Self.bodyEndedEarly)
    }

    static let bodyEndedEarly = HTTPError(400, detail: "The request body ended early.")

    func nextChunk() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            enum Outcome {
                case chunk([UInt8]?)
                case failure
                case wait
            }
            let outcome = state.withLock { state -> Outcome in
                if let chunk = state.pop() {
                    if state.buffered < Self.highWater / 2 && state.response == nil { resumeIfSuspended(&state) }
                    return .chunk(chunk)
                }
                if state.bodyFinished { return .chunk(nil) }
                if state.closed { return .failure }
                state.waiter = continuation
                if state.response == nil { resumeIfSuspended(&state) }
                return .wait
            }
            switch outcome {
            case .chunk(let chunk): continuation.resume(returning: chunk)
            case .failure: continuation.resume(throwing: Self.bodyEndedEarly)
            case .wait: break
            }
        }
    }

    private func resumeIfSuspended(_ state: inout State) {
        guard state.suspended, !state.closed else { return }
        state.suspended = false
        MHD_resume_connection(connection.pointer)
    }
}

/// The largest request body the server has held in memory at once, for tests and diagnostics.
public final class BodyStatistics: Sendable {
    private let peak = Atomic<Int>(0)

    public init() {}

    /// The most body bytes ever buffered for one request.
    public var peakBufferedBytes: Int { peak.load(ordering: .relaxed) }

    func record(buffered: Int) {
        var current = peak.load(ordering: .relaxed)
        while buffered > current {
            let (exchanged, original) = peak.compareExchange(expected: current, desired: buffered, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

import Synchronization

/// Where a request body's chunks come from: the network, or bytes already in memory.
public protocol BodySource: Sendable {
    /// The next chunk, or `nil` at the end of the body.
    func nextChunk() async throws -> [UInt8]?
}

/// A request body delivered as a stream of chunks, never buffered whole unless a handler asks.
///
/// Reading past `limit` bytes throws a 413 `HTTPError`, so a handler that streams and one that
/// collects are held to the same route limit.
public struct RequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let source: any BodySource
    public let limit: Int
    /// The length the client announced, if it sent `Content-Length`.
    public let declaredLength: Int?

    public init(source: any BodySource, limit: Int, declaredLength: Int?) {
        self.source = source
        self.limit = limit
        self.declaredLength = declaredLength
    }

    /// A body held in memory, as the in-process test client sends it.
    public init(bytes: [UInt8], limit: Int = .max) {
        self.init(source: BytesSource(bytes: bytes), limit: limit, declaredLength: bytes.count)
    }

    /// An empty body.
    public static let empty = RequestBody(bytes: [])

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: any BodySource
        let limit: Int
        var received = 0

        public mutating func next() async throws -> [UInt8]? {
            guard let chunk = try await source.nextChunk() else { return nil }
            received += chunk.count
            if received > limit { throw HTTPError.payloadTooLarge }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: source, limit: limit)
    }

    /// The whole body, refusing more than `maximum` bytes (and never more than the route limit).
    public func collect(upTo maximum: Int = .max) async throws -> [UInt8] {
        let cap = Swift.min(maximum, limit)
        if let declaredLength, declaredLength > cap { throw HTTPError.payloadTooLarge }
        var bytes: [UInt8] = []
        if let declaredLength { bytes.reserveCapacity(declaredLength) }
        for try await chunk in self {
            if bytes.count + chunk.count > cap { throw HTTPError.payloadTooLarge }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }
}

/// A body already in memory, handed out in one chunk.
final class BytesSource: BodySource {
    private let bytes: [UInt8]
    private let consumed = Atomic<Bool>(false)

    init(bytes: [UInt8]) { self.bytes = bytes }

    func nextChunk() async throws -> [UInt8]? {
        guard !bytes.isEmpty, !consumed.exchange(true, ordering: .relaxed) else { return nil }
        return bytes
    }
}

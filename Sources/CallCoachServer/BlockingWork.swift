import Dispatch
import Synchronization

/// CPU-heavy work (password hashing) on a fixed set of serial queues, one per core, so it
/// neither blocks Swift's cooperative pool nor runs more hashes at once than there are cores.
enum BlockingWork {
    private static let queues = (0..<2).map { DispatchQueue(label: "callcoach.blocking.\($0)") }
    private static let next = Atomic<Int>(0)

    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let queue = queues[next.wrappingAdd(1, ordering: .relaxed).oldValue % queues.count]
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Swift.Result { try body() }) }
        }
    }
}

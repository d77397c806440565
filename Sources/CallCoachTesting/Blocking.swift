import Foundation

/// Runs blocking work (socket reads, child processes) on its own thread, so it never occupies
/// one of the few threads of Swift's cooperative pool that the server under test needs.
public func blocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Swift.Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

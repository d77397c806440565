import Dispatch

/// A connection whose every use runs on its own serial queue, so blocking database calls never
/// occupy Swift's cooperative thread pool and never overlap on one connection.
protocol QueuedConnection: DatabaseConnection, AnyObject, Sendable {
    var queue: DispatchQueue { get }
    var isOpen: Bool { get }
}

extension QueuedConnection {
    /// Runs `body` between `begin` and `COMMIT` on this connection's queue; any throw rolls back.
    func transaction<Result: Sendable>(
        begin: String, prelude: SQL? = nil, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Swift.Result { try self.inTransaction(begin: begin, prelude: prelude, body) })
            }
        }
    }

    private func inTransaction<Result>(
        begin: String, prelude: SQL?, _ body: (any DatabaseConnection) throws -> Result
    ) throws -> Result {
        guard isOpen else { throw DatabaseError(.unavailable, detail: "the database is closed") }
        do {
            try executeScript(begin)
        } catch {
            // A connection the server dropped fails at its first statement; nothing has run yet,
            // so reconnecting and beginning again is safe.
            guard isOpen else { throw error }
            try executeScript(begin)
        }
        do {
            if let prelude { _ = try query(prelude) }
            let result = try body(self)
            try executeScript("COMMIT")
            return result
        } catch {
            try? executeScript("ROLLBACK")
            throw error
        }
    }
}

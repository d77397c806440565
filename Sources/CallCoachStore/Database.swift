/// A connection the store lends to one unit of work at a time.
public protocol DatabaseConnection {
    var dialect: SQLDialect { get }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: SQL) throws -> Int

    /// Runs a query and returns every row.
    func query(_ sql: SQL) throws -> [Row]

    /// Runs several statements without arguments, as migrations need.
    func executeScript(_ text: String) throws
}

extension DatabaseConnection {
    /// The first row of a query, if any.
    public func queryOne(_ sql: SQL) throws -> Row? {
        try query(sql).first
    }
}

/// A database: SQLite embedded, or PostgreSQL. The same repositories run on both.
///
/// Work is handed over as a synchronous closure that runs on the store's own threads, inside a
/// transaction, so blocking database calls never occupy Swift's cooperative thread pool.
public protocol Database: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in a read transaction.
    @discardableResult
    func read<Result: Sendable>(_ body: @escaping @Sendable (any DatabaseConnection) throws -> Result) async throws
        -> Result

    /// Runs `body` in a write transaction, committed when it returns and rolled back when it throws.
    @discardableResult
    func write<Result: Sendable>(_ body: @escaping @Sendable (any DatabaseConnection) throws -> Result) async throws
        -> Result

    /// Closes every connection; later calls fail with `.unavailable`.
    func close()
}

extension Database {
    /// Whether the database answers a trivial query.
    public func isReachable() async -> Bool {
        (try? await read { try $0.queryOne("SELECT 1 AS one") } != nil) ?? false
    }
}

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

/// Whose behalf a transaction runs on. On PostgreSQL it sets what row-level security sees;
/// SQLite, a single-tenant embedded file, relies on the scoped queries alone.
public enum AccessContext: Sendable, Equatable {
    /// Global identity tables only (users, sessions, tokens): no company data is visible.
    case global
    /// One signed-in user: their own memberships and the companies they belong to.
    case user(String)
    /// One company, as one of its members (or a granted operator).
    case company(String, actor: String)
    /// The explicit platform path: migrations, company creation, checks across companies. On
    /// PostgreSQL it uses the owner connection, which row-level security does not restrict.
    case platform
}

/// A database: SQLite embedded, or PostgreSQL. The same repositories run on both.
///
/// Work is handed over as a synchronous closure that runs on the store's own threads, inside a
/// transaction, so blocking database calls never occupy Swift's cooperative thread pool.
public protocol Database: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in a read transaction on behalf of `context`.
    @discardableResult
    func read<Result: Sendable>(
        _ context: AccessContext, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result

    /// Runs `body` in a write transaction on behalf of `context`, committed when it returns and
    /// rolled back when it throws.
    @discardableResult
    func write<Result: Sendable>(
        _ context: AccessContext, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result

    /// Closes every connection; later calls fail with `.unavailable`.
    func close()
}

extension Database {
    /// A read transaction that sees global identity tables only.
    @discardableResult
    public func read<Result: Sendable>(_ body: @escaping @Sendable (any DatabaseConnection) throws -> Result)
        async throws -> Result
    {
        try await read(.global, body)
    }

    /// A write transaction on global identity tables only.
    @discardableResult
    public func write<Result: Sendable>(_ body: @escaping @Sendable (any DatabaseConnection) throws -> Result)
        async throws -> Result
    {
        try await write(.global, body)
    }

    /// Whether the database answers a trivial query.
    public func isReachable() async -> Bool {
        (try? await read { try $0.queryOne("SELECT 1 AS one") } != nil) ?? false
    }
}

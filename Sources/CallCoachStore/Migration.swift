import CallCoachTelemetry
import Foundation

/// One numbered schema change, written once for each dialect where they differ.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    private let statements: @Sendable (SQLDialect) -> String

    public init(_ version: Int, _ name: String, sql: @escaping @Sendable (SQLDialect) -> String) {
        self.version = version
        self.name = name
        self.statements = sql
    }

    /// A migration whose SQL is the same in every dialect.
    public init(_ version: Int, _ name: String, sql: String) {
        self.init(version, name, sql: { _ in sql })
    }

    public func sql(for dialect: SQLDialect) -> String { statements(dialect) }
}

/// Applies pending migrations in order, each in its own transaction, and records them.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    let logger: Logger

    public init(migrations: [Migration] = Schema.migrations, logger: Logger) {
        precondition(
            migrations.enumerated().allSatisfy { $0.offset + 1 == $0.element.version },
            "migrations must be numbered 1, 2, 3, … without gaps")
        self.migrations = migrations
        self.logger = logger
    }

    /// The versions already applied to `database`.
    public func appliedVersions(_ database: any Database) async throws -> [Int] {
        try await database.write(.platform) { connection in
            try Self.createLedger(connection)
            return try connection.query("SELECT version FROM schema_migrations ORDER BY version")
                .map { try $0.decode("version", as: Int.self) }
        }
    }

    /// Applies what is pending and returns the versions applied now.
    @discardableResult
    public func migrate(_ database: any Database) async throws -> [Int] {
        let applied = try await appliedVersions(database)
        if let newest = applied.last, newest > migrations.count {
            throw DatabaseError(
                .migration,
                detail: "the database is at version \(newest), newer than this program's \(migrations.count)")
        }
        var done: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            try await database.write(.platform) { connection in
                try connection.executeScript(migration.sql(for: connection.dialect))
                try connection.execute(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at) \
                    VALUES (\(migration.version), \(migration.name), \(Date()))
                    """)
            }
            logger.info("store.migration.applied", "", [.version: .int(migration.version)])
            done.append(migration.version)
        }
        return done
    }

    private static func createLedger(_ connection: any DatabaseConnection) throws {
        try connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            );
            """)
    }
}

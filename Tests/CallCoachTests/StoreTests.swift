import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

@Suite struct StoreTests {
    let directory: TemporaryDirectory
    let database: any Database

    init() async throws {
        directory = try TemporaryDirectory()
        database = try await TestDatabase.make(in: directory)
    }

    func migrated() async throws -> any Database {
        try await Migrator(logger: Logger(sink: MemorySink())).migrate(database)
        return database
    }

    @Test func interpolatedValuesAreBoundNeverSpliced() async throws {
        let database = try await migrated()
        let hostile = "x'); DROP TABLE companies; --"
        try await database.write(.platform) { connection in
            try connection.execute(
                "INSERT INTO companies (id, name, created_at) VALUES (\("c1"), \(hostile), \(Date()))")
        }
        let name = try await database.read(.platform) { connection in
            try connection.queryOne("SELECT name FROM companies WHERE id = \("c1")")?.decode("name", as: String.self)
        }
        #expect(name == hostile)
        let sql: SQL = "SELECT * FROM t WHERE a = \(1) AND b = \("two")"
        #expect(sql.rendered(for: .sqlite).text == "SELECT * FROM t WHERE a = ? AND b = ?")
        #expect(sql.rendered(for: .postgres).text == "SELECT * FROM t WHERE a = $1 AND b = $2")
        #expect(sql.rendered(for: .postgres).arguments == [.integer(1), .text("two")])
        #expect(!sql.description.contains("two"))
    }

    @Test func rowsDecodeToTypedValues() async throws {
        let when = Date(timeIntervalSince1970: 1_700_000_000.123)
        let row = try await database.write(.platform) { connection in
            let blob = connection.dialect == .sqlite ? "BLOB" : "BYTEA"
            let real = connection.dialect == .sqlite ? "REAL" : "DOUBLE PRECISION"
            try connection.executeScript(
                "CREATE TABLE sample (i INTEGER, r \(real), t TEXT, b \(blob), d BIGINT, n TEXT)")
            try connection.execute(
                "INSERT INTO sample VALUES (\(42), \(2.5), \("héllo"), \([UInt8]([0, 1, 255])), \(when), \(DatabaseValue.null))"
            )
            return try connection.queryOne("SELECT * FROM sample")
        }
        let sample = try #require(row)
        #expect(try sample.decode("i", as: Int.self) == 42)
        #expect(try sample.decode("r", as: Double.self) == 2.5)
        #expect(try sample.decode("t", as: String.self) == "héllo")
        #expect(try sample.decode("b", as: [UInt8].self) == [0, 1, 255])
        #expect(try sample.decode("d", as: Date.self) == when.rounded)
        #expect(try sample.decode("n", as: String?.self) == nil)
        #expect(throws: DatabaseError.self) { try sample.decode("t", as: Int.self) }
        #expect(throws: DatabaseError.self) { try sample.decode("missing", as: Int.self) }
    }

    @Test func aThrowingTransactionLeavesNothingBehind() async throws {
        let database = try await migrated()
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await database.write(.platform) { connection in
                try connection.execute("INSERT INTO companies (id, name, created_at) VALUES ('a', 'A', 0)")
                throw Abort()
            }
        }
        let count = try await database.read(.platform) {
            try $0.queryOne("SELECT COUNT(*) AS n FROM companies")?.decode("n", as: Int.self)
        }
        #expect(count == 0)
    }

    @Test func constraintViolationsAreTypedAndQuoteNoValues() async throws {
        let database = try await migrated()
        try await database.write(.platform) {
            try $0.execute("INSERT INTO companies (id, name, created_at) VALUES ('dup', 'secret-name', 0)")
        }
        do {
            try await database.write(.platform) {
                try $0.execute("INSERT INTO companies (id, name, created_at) VALUES ('dup', 'secret-name', 0)")
            }
            Issue.record("the duplicate was accepted")
        } catch let error as DatabaseError {
            #expect(error.code == .constraint)
            #expect(!error.description.contains("secret-name") && !error.description.contains("dup"))
        }
    }

    @Test func migrationsApplyOnceAndInOrder() async throws {
        let log = MemorySink()
        let migrations = [
            Migration(1, "first", sql: "CREATE TABLE one (x INTEGER);"),
            Migration(
                2, "second", sql: { $0 == .sqlite ? "CREATE TABLE two (y INTEGER);" : "CREATE TABLE two (y BIGINT);" }),
        ]
        let migrator = Migrator(migrations: migrations, logger: Logger(sink: log))
        #expect(try await migrator.migrate(database) == [1, 2])
        #expect(try await migrator.migrate(database) == [])
        #expect(try await migrator.appliedVersions(database) == [1, 2])
        #expect(log.lines.filter { $0.contains("store.migration.applied") }.count == 2)
        await #expect(throws: DatabaseError.self) {
            try await Migrator(migrations: Array(migrations.prefix(1)), logger: Logger(sink: log)).migrate(database)
        }
    }

    @Test func aFailingMigrationIsRolledBackAndReported() async throws {
        let migrator = Migrator(
            migrations: [Migration(1, "broken", sql: "CREATE TABLE fine (x INTEGER); CREATE TABLE broken (;")],
            logger: Logger(sink: MemorySink()))
        await #expect(throws: DatabaseError.self) { try await migrator.migrate(database) }
        #expect(try await migrator.appliedVersions(database) == [])
        let catalog: SQL =
            database.dialect == .sqlite
            ? "SELECT name FROM sqlite_master WHERE name = 'fine'"
            : "SELECT tablename FROM pg_tables WHERE tablename = 'fine'"
        let tables = try await database.read(.platform) { try $0.query(catalog).count }
        #expect(tables == 0)
    }

    @Test func concurrentWritesAndReadsAllLand() async throws {
        let database = try await migrated()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await database.write(.platform) { connection in
                        try connection.execute(
                            "INSERT INTO companies (id, name, created_at) VALUES (\("c\(index)"), 'n', 0)")
                    }
                    _ = try await database.read(.platform) { try $0.query("SELECT id FROM companies LIMIT 1") }
                }
            }
            try await group.waitForAll()
        }
        let count = try await database.read(.platform) {
            try $0.queryOne("SELECT COUNT(*) AS n FROM companies")?.decode("n", as: Int.self)
        }
        #expect(count == 200)
        if database.dialect == .sqlite {
            let mode = try await database.read(.platform) {
                try $0.queryOne("PRAGMA journal_mode")?.decode("journal_mode", as: String.self)
            }
            #expect(mode == "wal")
        }
    }

    @Test func aClosedDatabaseFailsAsUnavailable() async throws {
        database.close()
        #expect(await database.isReachable() == false)
        await #expect(throws: DatabaseError.unavailable) {
            try await database.read(.platform) { try $0.query("SELECT 1") }
        }
    }
}

extension DatabaseError {
    static let unavailable = DatabaseError(.unavailable, detail: "")
}

extension Date {
    /// This date at whole milliseconds, as the store keeps it.
    var rounded: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000) }
}

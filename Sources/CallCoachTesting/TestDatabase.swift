import CallCoachServer
import CallCoachStore
import Foundation

/// A fresh database for one test: a new PostgreSQL database when the suite runs beside a test
/// server (`scripts/with-postgres` sets `CALLCOACH_TEST_POSTGRES_URL`), else an SQLite file.
public enum TestDatabase {
    /// The superuser URL of the test PostgreSQL server, when the suite runs against PostgreSQL.
    public static let serverURL: String? = Configuration.processEnvironment()["CALLCOACH_TEST_POSTGRES_URL"]

    /// Which backend this run of the suite uses.
    public static var dialect: SQLDialect { serverURL == nil ? .sqlite : .postgres }

    /// The URL of a newly created, empty PostgreSQL database, or `nil` on SQLite runs.
    public static func freshPostgresURL() async throws -> String? {
        guard let serverURL else { return nil }
        let name = "callcoach_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresDatabase(url: serverURL, size: 1)
        defer { admin.close() }
        try await admin.administer("CREATE DATABASE \(name)")
        return String(serverURL[..<serverURL.index(after: serverURL.lastIndex(of: "/")!)]) + name
    }

    /// A fresh database of this run's backend; SQLite files go into `directory`.
    public static func make(in directory: TemporaryDirectory) async throws -> any Database {
        if let url = try await freshPostgresURL() { return try PostgresDatabase(url: url, size: 2) }
        return try SQLiteDatabase(path: directory.file("test.sqlite"))
    }
}

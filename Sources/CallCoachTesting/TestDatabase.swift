import CallCoachServer
import CallCoachStore
import Foundation

/// A fresh database for one test: a new PostgreSQL database when the suite runs beside a test
/// server (`scripts/with-postgres` sets `CALLCOACH_TEST_POSTGRES_URL`), else an SQLite file.
public enum TestDatabase {
    /// The superuser URL of the test PostgreSQL server, when the suite runs against PostgreSQL.
    public static let serverURL: String? = Configuration.processEnvironment()["CALLCOACH_TEST_POSTGRES_URL"]
    /// The login role the server connects as: a member of the application role, owning nothing.
    public static let applicationUser = "callcoach_server"

    /// Which backend this run of the suite uses.
    public static var dialect: SQLDialect { serverURL == nil ? .sqlite : .postgres }

    /// A newly created, empty PostgreSQL database: the server's URL and the owner's URL.
    public static func freshPostgres() async throws -> (url: String, ownerURL: String)? {
        guard let serverURL, let components = URLComponents(string: serverURL) else { return nil }
        let name = "callcoach_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresDatabase(url: serverURL, size: 1)
        defer { admin.close() }
        try await admin.administer("CREATE DATABASE \(name)")
        var owner = components
        owner.path = "/" + name
        var application = owner
        application.user = applicationUser
        return (application.string!, owner.string!)
    }

    /// A fresh, migrated-or-not database of this run's backend; SQLite files go into `directory`.
    public static func make(in directory: TemporaryDirectory) async throws -> any Database {
        if let urls = try await freshPostgres() {
            return try PostgresDatabase(url: urls.url, ownerURL: urls.ownerURL, size: 2)
        }
        return try SQLiteDatabase(path: directory.file("test.sqlite"))
    }
}

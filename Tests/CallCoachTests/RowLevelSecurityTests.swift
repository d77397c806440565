import CallCoachCore
@testable import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

/// Row-level security proven on a real PostgreSQL, connected as the application's own role.
/// These run in the PostgreSQL pass of `make test`; SQLite has no row-level security.
@Suite(.enabled(if: TestDatabase.dialect == .postgres)) struct RowLevelSecurityTests {
    struct Seeded {
        let database: any Database
        let companyA = "company-a"
        let companyB = "company-b"
    }

    func seeded() async throws -> Seeded {
        let seeded = Seeded(database: try await TestDatabase.make(in: try TemporaryDirectory()))
        try await Migrator(logger: Logger(sink: MemorySink())).migrate(seeded.database)
        try await seeded.database.write(.platform) { connection in
            for company in [seeded.companyA, seeded.companyB] {
                try IdentityRecords.insert(Company(id: company, name: company, createdAt: Date()), connection)
                try connection.execute(
                    "INSERT INTO teams (id, company_id, name, created_at) VALUES (\(company + "-team"), \(company), 't', 0)"
                )
            }
        }
        return seeded
    }

    @Test func withoutACompanyNothingIsVisible() async throws {
        let seeded = try await seeded()
        let teams = try await seeded.database.read(.global) { try $0.query("SELECT * FROM teams") }
        #expect(teams.isEmpty)
        let companies = try await seeded.database.read(.global) { try $0.query("SELECT * FROM companies") }
        #expect(companies.isEmpty)
        let all = try await seeded.database.read(.platform) { try $0.query("SELECT * FROM teams") }
        #expect(all.count == 2, "the rows exist; only the owner's platform path sees them all")
    }

    @Test func aQueryThatForgetsItsWhereSeesOnlyItsCompany() async throws {
        let seeded = try await seeded()
        let visible = try await seeded.database.read(.company(seeded.companyA, actor: "someone")) {
            try $0.query("SELECT company_id FROM teams").map { try $0.decode("company_id", as: String.self) }
        }
        #expect(visible == [seeded.companyA])
    }

    @Test func writingAnotherCompanysRowIsRefused() async throws {
        let seeded = try await seeded()
        await #expect(throws: DatabaseError(.denied, detail: "")) {
            try await seeded.database.write(.company(seeded.companyA, actor: "someone")) { connection in
                try connection.execute(
                    "INSERT INTO teams (id, company_id, name, created_at) VALUES ('sneaky', \(seeded.companyB), 'x', 0)"
                )
            }
        }
        let changed = try await seeded.database.write(.company(seeded.companyA, actor: "someone")) { connection in
            try connection.execute("UPDATE teams SET name = 'renamed' WHERE company_id = \(seeded.companyB)")
        }
        #expect(changed == 0)
    }

    @Test func theApplicationRoleOwnsNothingAndCannotBypass() async throws {
        let seeded = try await seeded()
        let role = try await seeded.database.read(.global) { connection in
            try connection.queryOne(
                """
                SELECT rolbypassrls, rolsuper, (SELECT COUNT(*) FROM pg_tables WHERE tableowner = current_user) AS owned \
                FROM pg_roles WHERE rolname = current_user
                """)
        }
        #expect(try role?.decode("rolbypassrls", as: Bool.self) == false)
        #expect(try role?.decode("rolsuper", as: Bool.self) == false)
        #expect(try role?.decode("owned", as: Int.self) == 0)
        await #expect(throws: DatabaseError.self) {
            try await seeded.database.write(.global) {
                try $0.executeScript("ALTER TABLE teams DISABLE ROW LEVEL SECURITY")
            }
        }
    }

    @Test func theDriftCheckFindsARemovedPolicy() async throws {
        let seeded = try await seeded()
        #expect(try await seeded.database.read(.platform) { try RowLevelSecurity.drift($0) } == [])
        try await seeded.database.write(.platform) { connection in
            try connection.executeScript(
                "DROP POLICY tenant_isolation ON teams; GRANT TRUNCATE ON audit_events TO callcoach_app;")
        }
        let drift = try await seeded.database.read(.platform) { try RowLevelSecurity.drift($0) }
        #expect(drift.contains("missing policy tenant_isolation on teams"))
        #expect(drift.contains("callcoach_app holds TRUNCATE on audit_events"))
    }
}

/// A PostgreSQL that goes away mid-run: readiness says so, requests fail closed, and the server
/// reconnects when the database returns.
@Suite(.enabled(if: TestDatabase.dialect == .postgres)) struct DatabaseOutageTests {
    @Test func readinessFollowsTheDatabaseAndConnectionsComeBack() async throws {
        let postgres = try PostgresServer()
        let admin = try PostgresDatabase(url: postgres.superuserURL, size: 1)
        try await admin.administer(
            "CREATE ROLE callcoach_app NOLOGIN NOBYPASSRLS; CREATE ROLE callcoach_server LOGIN IN ROLE callcoach_app;")
        try await admin.administer("CREATE DATABASE outage")
        admin.close()
        let owner = "postgres://postgres@127.0.0.1:\(postgres.port)/outage"
        let application = "postgres://callcoach_server@127.0.0.1:\(postgres.port)/outage"
        let directory = try TemporaryDirectory()
        try "\(application)\n\(owner)".write(
            toFile: directory.file("test-database-url"), atomically: true, encoding: .utf8)
        let server = try await LiveServer.start(in: directory)
        let client = server.client()
        #expect(await client.get("/readyz").status == 200)

        try postgres.stop()
        #expect(await client.get("/readyz").status == 503)
        let refused = await client.send(.post, "/api/v1/auth/login", json: #"{"email":"a@b.example","password":"x"}"#)
        #expect(refused.status == 503, "no counter store: refuse")

        try postgres.start()
        var ready = false
        for _ in 0..<50 where !ready {
            ready = await client.get("/readyz").status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready)
        let login = await client.send(.post, "/api/v1/auth/login", json: #"{"email":"a@b.example","password":"x"}"#)
        #expect(login.status == 401, "answering again: a wrong password, not an outage")
        server.stop()
    }
}

@Suite(.enabled(if: TestDatabase.dialect == .postgres)) struct ApplicationRoleTests {
    @Test func aServerConnectedAsTheOwnerRefusesToStart() async throws {
        let urls = try #require(try await TestDatabase.freshPostgres())
        let directory = try TemporaryDirectory()
        // The owner's URL alone: the server would own the tables and escape every policy.
        try "\(urls.ownerURL)\n\(urls.ownerURL)".write(
            toFile: directory.file("test-database-url"), atomically: true, encoding: .utf8)
        await #expect(throws: ConfigurationError.self) { try await LiveServer.start(in: directory) }
    }
}

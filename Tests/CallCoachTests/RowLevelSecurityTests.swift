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

/// PostgreSQL row-level security: what the schema's owner sets up, and what the drift check
/// expects to find.
public enum RowLevelSecurity {
    /// The group role the server's login role belongs to. It owns nothing and has no BYPASSRLS.
    public static let applicationRole = "callcoach_app"

    static let company = "NULLIF(current_setting('app.company_id', true), '')"
    static let user = "NULLIF(current_setting('app.user_id', true), '')"

    /// One expected policy: the table, the policy's name, and what its rows must satisfy.
    public struct Policy: Sendable, Hashable {
        public let table: String
        public let name: String
        public let using: String
        public let check: String
    }

    /// Every company table and the policy that guards it.
    public static let policies: [Policy] = [
        Policy(
            table: "companies", name: "tenant_isolation",
            using: "id = \(company) OR id IN (SELECT company_id FROM memberships WHERE user_id = \(user))",
            check: "id = \(company)"),
        Policy(
            table: "memberships", name: "tenant_isolation", using: "company_id = \(company) OR user_id = \(user)",
            check: "company_id = \(company)"),
        Policy(
            table: "team_members", name: "tenant_isolation", using: "company_id = \(company) OR user_id = \(user)",
            check: "company_id = \(company)"),
        Policy(
            table: "teams", name: "tenant_isolation", using: "company_id = \(company)", check: "company_id = \(company)"
        ),
        Policy(
            table: "audit_events", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "audit_heads", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "blobs", name: "tenant_isolation", using: "company_id = \(company)", check: "company_id = \(company)"
        ),
        Policy(
            table: "calls", name: "tenant_isolation", using: "company_id = \(company)", check: "company_id = \(company)"
        ),
        Policy(
            table: "jobs", name: "tenant_isolation", using: "company_id = \(company)", check: "company_id = \(company)"),
        Policy(
            table: "dead_letters", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "ai_configurations", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "call_embeddings", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "scorecards", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "evaluations", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "compliance_settings", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "findings", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "call_comments", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "coaching_assignments", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "calibrations", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "company_packs", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "notification_policies", name: "tenant_isolation", using: "company_id = \(company)",
            check: "company_id = \(company)"),
        Policy(
            table: "support_grants", name: "tenant_isolation",
            using: "company_id = \(company) OR operator_id = \(user)",
            check: "company_id = \(company)"),
    ]

    /// The company tables that came with the call pipeline; each has the same tenant policy.
    static let callTables = ["blobs", "calls", "jobs", "dead_letters"]

    static var callsMigration: String { tenantPolicies(callTables) }

    /// The company tables that came with the AI configuration (their policies arrive in its migration).
    static let aiTables = ["ai_configurations"]

    /// The company tables that came with the sentence embeddings.
    static let embeddingTables = ["call_embeddings"]

    /// The company tables that came with scorecards.
    static let scoringTables = ["scorecards", "evaluations"]

    /// The company tables that came with compliance packs.
    static let complianceTables = ["compliance_settings", "findings"]

    /// The company tables that came with companies' own compliance packs.
    static let companyPackTables = ["company_packs"]

    /// The company tables that came with notification policies.
    static let notificationTables = ["notification_policies"]

    /// The company tables that came with comments and coaching.
    static let coachingTables = ["call_comments", "coaching_assignments"]

    /// The company tables that came with calibration sessions.
    static let calibrationTables = ["calibrations"]

    /// The tables whose policies arrive in their own, later migrations, not in the first one.
    static var laterTables: [String] {
        callTables + aiTables + embeddingTables + scoringTables + complianceTables + coachingTables
            + calibrationTables + companyPackTables + notificationTables
    }

    /// Turns row-level security on for `tables` with their expected policies.
    static func tenantPolicies(_ tables: [String]) -> String {
        policies.filter { tables.contains($0.table) }.map { policy in
            "ALTER TABLE \(policy.table) ENABLE ROW LEVEL SECURITY;\n"
                + "CREATE POLICY \(policy.name) ON \(policy.table) USING (\(policy.using)) WITH CHECK (\(policy.check));\n"
        }.joined()
    }

    /// The privileges the application role must hold on every table, and no more.
    public static let tablePrivileges: Set<String> = ["SELECT", "INSERT", "UPDATE", "DELETE"]

    static var migration: String {
        var text = """
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(applicationRole)') THEN
                    CREATE ROLE \(applicationRole) NOLOGIN NOBYPASSRLS;
                END IF;
            END $$;
            GRANT USAGE ON SCHEMA public TO \(applicationRole);
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(applicationRole);
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(applicationRole);

            """
        text += tenantPolicies(policies.map(\.table).filter { !laterTables.contains($0) })
        return text
    }
}

extension RowLevelSecurity {
    /// Every difference between the live policies and grants and the expected ones; empty when
    /// they agree. A platform operation (it reads the catalogue). SQLite has nothing to compare.
    public static func drift(_ connection: any DatabaseConnection) throws -> [String] {
        guard connection.dialect == .postgres else { return [] }
        var differences: [String] = []
        let live = try connection.query(
            "SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public'")
        var seen: Set<String> = []
        for row in live {
            let table: String = try row.decode("tablename")
            let name: String = try row.decode("policyname")
            seen.insert("\(table).\(name)")
            guard let expected = policies.first(where: { $0.table == table && $0.name == name }) else {
                differences.append("unexpected policy \(name) on \(table)")
                continue
            }
            let qual = try row.decode("qual", as: String?.self) ?? ""
            let check = try row.decode("with_check", as: String?.self) ?? ""
            for (text, wanted, kind) in [(qual, expected.using, "USING"), (check, expected.check, "WITH CHECK")] {
                for setting in ["app.company_id", "app.user_id"]
                where wanted.contains(setting) != text.contains(setting) {
                    differences.append("policy \(name) on \(table): \(kind) differs in \(setting)")
                }
            }
        }
        for policy in policies where !seen.contains("\(policy.table).\(policy.name)") {
            differences.append("missing policy \(policy.name) on \(policy.table)")
        }
        let tables = try connection.query(
            "SELECT relname, relrowsecurity FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        for row in tables {
            let table: String = try row.decode("relname")
            if policies.contains(where: { $0.table == table }), !(try row.decode("relrowsecurity", as: Bool.self)) {
                differences.append("row-level security is off on \(table)")
            }
            for privilege in ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"] {
                let held =
                    try connection.queryOne(
                        "SELECT has_table_privilege(\(applicationRole)::text, \(table)::text, \(privilege)::text) AS held"
                    )?
                    .decode("held", as: Bool.self) ?? false
                if held != tablePrivileges.contains(privilege) {
                    differences.append("\(applicationRole) \(held ? "holds" : "lacks") \(privilege) on \(table)")
                }
            }
        }
        let bypass = try connection.query(
            "SELECT rolname FROM pg_roles WHERE rolbypassrls AND pg_has_role(rolname, \(applicationRole)::name, 'MEMBER') AND NOT rolsuper"
        )
        for row in bypass {
            differences.append("role \(try row.decode("rolname", as: String.self)) bypasses row-level security")
        }
        return differences.sorted()
    }
}

extension RowLevelSecurity {
    /// Why the connection's own role would escape row-level security: superuser, BYPASSRLS, or
    /// owning tables (owners are not bound by their tables' policies). Empty when it is bound.
    public static func escapes(_ connection: any DatabaseConnection) throws -> [String] {
        guard connection.dialect == .postgres else { return [] }
        guard
            let role = try connection.queryOne(
                """
                SELECT rolsuper, rolbypassrls, (SELECT COUNT(*) FROM pg_class c \
                JOIN pg_namespace n ON n.oid = c.relnamespace \
                WHERE n.nspname = 'public' AND c.relowner = r.oid) AS owned \
                FROM pg_roles r WHERE r.rolname = current_user
                """)
        else { return ["the connection's role is unknown"] }
        var problems: [String] = []
        if try role.decode("rolsuper", as: Bool.self) { problems.append("the server's role is a superuser") }
        if try role.decode("rolbypassrls", as: Bool.self) { problems.append("the server's role has BYPASSRLS") }
        if try role.decode("owned", as: Int.self) > 0 { problems.append("the server's role owns tables") }
        return problems
    }
}

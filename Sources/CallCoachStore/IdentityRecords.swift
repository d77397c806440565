import CallCoachCore
import Foundation

/// Reads and writes of companies, users and memberships. Each function runs on a connection the
/// caller holds, so several of them compose into one transaction.
public enum IdentityRecords {
    public static func insert(_ company: Company, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO companies (id, name, requires_mfa, created_at) \
            VALUES (\(company.id), \(company.name), \(company.requiresMFA), \(company.createdAt))
            """)
    }

    public static func company(id: String, _ connection: any DatabaseConnection) throws -> Company? {
        try connection.queryOne("SELECT * FROM companies WHERE id = \(id)").map(company)
    }

    /// Every company, by name: the platform console's list (a platform read).
    public static func companies(_ connection: any DatabaseConnection) throws -> [Company] {
        try connection.query("SELECT * FROM companies ORDER BY name, id").map(company)
    }

    public static func setRequiresMFA(_ required: Bool, companyID: String, _ connection: any DatabaseConnection) throws
    {
        try connection.execute("UPDATE companies SET requires_mfa = \(required) WHERE id = \(companyID)")
    }

    public static func insert(_ user: User, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO users (id, email, display_name, password_hash, status, mfa_enabled, created_at, updated_at) \
            VALUES (\(user.id), \(user.email.value), \(user.displayName), \(user.passwordHash), \(user.status.rawValue), \
            \(user.mfaEnabled), \(user.createdAt), \(user.createdAt))
            """)
    }

    public static func user(id: String, _ connection: any DatabaseConnection) throws -> User? {
        try connection.queryOne("SELECT * FROM users WHERE id = \(id)").map(user)
    }

    public static func user(email: EmailAddress, _ connection: any DatabaseConnection) throws -> User? {
        try connection.queryOne("SELECT * FROM users WHERE email = \(email.value)").map(user)
    }

    public static func setPasswordHash(_ hash: String, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute("UPDATE users SET password_hash = \(hash), updated_at = \(Date()) WHERE id = \(userID)")
    }

    public static func setStatus(_ status: User.Status, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            "UPDATE users SET status = \(status.rawValue), updated_at = \(Date()) WHERE id = \(userID)")
    }

    /// Adds a membership unless the user already has one in that company; returns whether it did.
    @discardableResult
    public static func insertIfAbsent(_ membership: Membership, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            """
            INSERT INTO memberships (company_id, user_id, role, created_at) \
            VALUES (\(membership.companyID), \(membership.userID), \(membership.role.rawValue), \(Date())) \
            ON CONFLICT (company_id, user_id) DO NOTHING
            """) == 1
    }

    /// Inserts or replaces the membership of `membership.userID` in its company.
    public static func upsert(_ membership: Membership, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO memberships (company_id, user_id, role, created_at) \
            VALUES (\(membership.companyID), \(membership.userID), \(membership.role.rawValue), \(Date())) \
            ON CONFLICT (company_id, user_id) DO UPDATE SET role = excluded.role
            """)
    }

    /// The user's memberships with their company names; rows with an unknown role are dropped,
    /// since an unknown role grants nothing.
    public static func memberships(userID: String, _ connection: any DatabaseConnection) throws -> [(
        membership: Membership, company: Company
    )] {
        let rows = try connection.query(
            """
            SELECT m.company_id, m.user_id, m.role, m.capabilities, c.name, c.requires_mfa, c.created_at \
            FROM memberships m JOIN companies c ON c.id = m.company_id \
            WHERE m.user_id = \(userID) ORDER BY c.name, c.id
            """)
        let teams = try connection.query(
            "SELECT team_id, company_id FROM team_members WHERE user_id = \(userID) ORDER BY team_id")
        return try rows.compactMap { row in
            guard let role = Role(name: try row.decode("role")) else { return nil }
            let companyID: String = try row.decode("company_id")
            let teamIDs = try teams.filter { try $0.decode("company_id", as: String.self) == companyID }
                .map { try $0.decode("team_id", as: String.self) }
            let company = Company(
                id: companyID, name: try row.decode("name"), requiresMFA: try row.decode("requires_mfa"),
                createdAt: try row.decode("created_at"))
            let extras = Policy.capabilities(from: try row.decode("capabilities"))
            let membership = Membership(
                companyID: companyID, userID: userID, role: role, teamIDs: teamIDs, extraCapabilities: extras)
            return (membership, company)
        }
    }

    /// The membership of `userID` in `companyID`, if any.
    public static func membership(userID: String, companyID: String, _ connection: any DatabaseConnection) throws
        -> Membership?
    {
        try memberships(userID: userID, connection).first { $0.membership.companyID == companyID }?.membership
    }

    static func company(_ row: Row) throws -> Company {
        Company(
            id: try row.decode("id"), name: try row.decode("name"), requiresMFA: try row.decode("requires_mfa"),
            createdAt: try row.decode("created_at"))
    }

    static func user(_ row: Row) throws -> User {
        guard let email = EmailAddress(try row.decode("email", as: String.self)),
            let status = User.Status(rawValue: try row.decode("status"))
        else { throw DatabaseError(.decoding, detail: "a user row is not valid") }
        var user = User(
            id: try row.decode("id"), email: email, displayName: try row.decode("display_name"),
            passwordHash: try row.decode("password_hash"), status: status, mfaEnabled: try row.decode("mfa_enabled"),
            createdAt: try row.decode("created_at"))
        user.platformOperator = try row.decode("platform_operator")
        return user
    }
}

extension IdentityRecords {
    /// Removes a membership; returns whether there was one.
    @discardableResult
    public static func removeMembership(userID: String, companyID: String, _ connection: any DatabaseConnection) throws
        -> Bool
    {
        try connection.execute("DELETE FROM team_members WHERE user_id = \(userID) AND company_id = \(companyID)")
        return try connection.execute("DELETE FROM memberships WHERE user_id = \(userID) AND company_id = \(companyID)")
            == 1
    }
}

extension IdentityRecords {
    public static func setPlatformOperator(_ value: Bool, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            "UPDATE users SET platform_operator = \(value), updated_at = \(Date()) WHERE id = \(userID)")
    }
}

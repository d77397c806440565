import CallCoachCore
import Foundation

/// A team of a company.
public struct Team: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var memberIDs: [String]

    public init(id: String, name: String, memberIDs: [String]) {
        self.id = id
        self.name = name
        self.memberIDs = memberIDs
    }
}

/// A company's members and teams, reachable only through a tenant scope: every query is bound
/// to the scope's company.
public struct CompanyDirectory: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func members(_ connection: any DatabaseConnection) throws -> [(user: User, membership: Membership)] {
        let rows = try connection.query(
            """
            SELECT u.*, m.role, m.capabilities FROM memberships m JOIN users u ON u.id = m.user_id \
            WHERE m.company_id = \(scope.companyID) ORDER BY u.email
            """)
        let teams = try connection.query(
            "SELECT team_id, user_id FROM team_members WHERE company_id = \(scope.companyID) ORDER BY team_id")
        return try rows.compactMap { row in
            guard let role = Role(name: try row.decode("role")) else { return nil }
            let user = try IdentityRecords.user(row)
            let teamIDs = try teams.filter { try $0.decode("user_id", as: String.self) == user.id }
                .map { try $0.decode("team_id", as: String.self) }
            let membership = Membership(
                companyID: scope.companyID, userID: user.id, role: role, teamIDs: teamIDs,
                extraCapabilities: Policy.capabilities(from: try row.decode("capabilities")))
            return (user, membership)
        }
    }

    public func count(role: Role, _ connection: any DatabaseConnection) throws -> Int {
        try connection.queryOne(
            "SELECT COUNT(*) AS n FROM memberships WHERE company_id = \(scope.companyID) AND role = \(role.rawValue)"
        )?.decode("n") ?? 0
    }

    public func teams(_ connection: any DatabaseConnection) throws -> [Team] {
        let members = try connection.query(
            "SELECT team_id, user_id FROM team_members WHERE company_id = \(scope.companyID) ORDER BY user_id")
        return try connection.query(
            "SELECT id, name FROM teams WHERE company_id = \(scope.companyID) ORDER BY name, id"
        )
        .map { row in
            let id: String = try row.decode("id")
            let memberIDs = try members.filter { try $0.decode("team_id", as: String.self) == id }
                .map { try $0.decode("user_id", as: String.self) }
            return Team(id: id, name: try row.decode("name"), memberIDs: memberIDs)
        }
    }

    public func team(id: String, _ connection: any DatabaseConnection) throws -> Team? {
        try teams(connection).first { $0.id == id }
    }

    public func createTeam(id: String, name: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            "INSERT INTO teams (id, company_id, name, created_at) VALUES (\(id), \(scope.companyID), \(name), \(Date()))"
        )
    }

    @discardableResult
    public func renameTeam(id: String, name: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute("UPDATE teams SET name = \(name) WHERE id = \(id) AND company_id = \(scope.companyID)")
            == 1
    }

    @discardableResult
    public func deleteTeam(id: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute("DELETE FROM team_members WHERE team_id = \(id) AND company_id = \(scope.companyID)")
        return try connection.execute("DELETE FROM teams WHERE id = \(id) AND company_id = \(scope.companyID)") == 1
    }

    public func addToTeam(teamID: String, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO team_members (team_id, company_id, user_id) VALUES (\(teamID), \(scope.companyID), \(userID)) \
            ON CONFLICT (team_id, user_id) DO NOTHING
            """)
    }

    @discardableResult
    public func removeFromTeam(teamID: String, userID: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            """
            DELETE FROM team_members WHERE team_id = \(teamID) AND user_id = \(userID) AND company_id = \(scope.companyID)
            """) == 1
    }
}

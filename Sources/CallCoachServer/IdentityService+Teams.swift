import CallCoachCore
import CallCoachStore
import Foundation

extension IdentityService {
    /// The company's teams; anyone who may read members may read them.
    public func teams(_ scope: TenantScope) async throws -> [Team] {
        guard let reach = Policy.reach(of: scope.membership, for: .readMembers) else { throw IdentityError(.forbidden) }
        let teams = try await database.read(scope.context) { try CompanyDirectory(scope: scope).teams($0) }
        // Below company reach, only the actor's own teams show who is in them.
        return reach >= .company
            ? teams
            : teams.map { team in
                var team = team
                if !scope.membership.teamIDs.contains(team.id) { team.memberIDs = [] }
                return team
            }
    }

    public func createTeam(_ scope: TenantScope, name: String, clientAddress: String?) async throws -> Team {
        try require(scope, .manageTeams)
        let name = try Self.teamName(name)
        let team = Team(id: Identifier.make(), name: name, memberIDs: [])
        try await database.write(scope.context) { connection in
            try CompanyDirectory(scope: scope).createTeam(id: team.id, name: name, connection)
            try self.audit(
                scope, "team.created", target: team.id, details: ["name": name], clientAddress: clientAddress,
                connection)
        }
        return team
    }

    public func renameTeam(_ scope: TenantScope, teamID: String, name: String, clientAddress: String?) async throws {
        try require(scope, .manageTeams)
        let name = try Self.teamName(name)
        try await database.write(scope.context) { connection in
            guard try CompanyDirectory(scope: scope).renameTeam(id: teamID, name: name, connection) else {
                throw IdentityError(.notFound)
            }
            try self.audit(
                scope, "team.renamed", target: teamID, details: ["name": name], clientAddress: clientAddress, connection
            )
        }
    }

    public func deleteTeam(_ scope: TenantScope, teamID: String, clientAddress: String?) async throws {
        try require(scope, .manageTeams)
        try await database.write(scope.context) { connection in
            guard try CompanyDirectory(scope: scope).deleteTeam(id: teamID, connection) else {
                throw IdentityError(.notFound)
            }
            try self.audit(scope, "team.deleted", target: teamID, clientAddress: clientAddress, connection)
        }
    }

    /// Adds or removes a team member. Admins manage any team; managers only teams they are in.
    public func setTeamMembership(
        _ scope: TenantScope, teamID: String, userID: String, member: Bool, clientAddress: String?
    ) async throws {
        try await database.write(scope.context) { connection in
            let directory = CompanyDirectory(scope: scope)
            guard try directory.team(id: teamID, connection) != nil else { throw IdentityError(.notFound) }
            let relation: Relation = scope.membership.teamIDs.contains(teamID) ? .sameTeam : .sameCompany
            try self.require(scope, .manageTeamMembers, on: relation)
            _ = try self.member(userID, in: scope, connection)
            if member {
                try directory.addToTeam(teamID: teamID, userID: userID, connection)
            } else {
                guard try directory.removeFromTeam(teamID: teamID, userID: userID, connection) else {
                    throw IdentityError(.notFound)
                }
            }
            try self.audit(
                scope, member ? "team.member_added" : "team.member_removed", target: teamID, details: ["user": userID],
                clientAddress: clientAddress, connection)
        }
    }

    static func teamName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.count) else { throw IdentityError(.invalidRequest) }
        return trimmed
    }
}

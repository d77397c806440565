import CallCoachCore
import CallCoachStore
import Foundation

extension IdentityService {
    /// Changes a member's role: never one's own, never above one's own, never the last admin's;
    /// the member's sessions end so the new role applies from their next request.
    public func changeRole(_ scope: TenantScope, userID: String, role: String, clientAddress: String?) async throws {
        try require(scope, .changeRoles)
        guard let role = Role(name: role) else { throw IdentityError(.invalidRequest) }
        guard userID != scope.actorID, role <= scope.membership.role else { throw IdentityError(.forbidden) }
        try await database.write(scope.context) { connection in
            let member = try self.member(userID, in: scope, connection)
            guard member.role <= scope.membership.role else { throw IdentityError(.forbidden) }
            try Self.keepAnAdmin(scope, losing: member, connection, unless: role >= .admin)
            try IdentityRecords.upsert(
                Membership(companyID: scope.companyID, userID: userID, role: role), connection)
            try SessionRecords.revokeAll(userID: userID, reason: "role_changed", connection)
            try self.audit(
                scope, "member.role_changed", target: userID,
                details: ["from": member.role.rawValue, "to": role.rawValue],
                clientAddress: clientAddress, connection)
        }
    }

    /// Removes a member from the company and ends their sessions; the last admin stays.
    public func removeMember(_ scope: TenantScope, userID: String, clientAddress: String?) async throws {
        try require(scope, .changeRoles)
        guard userID != scope.actorID else { throw IdentityError(.forbidden) }
        try await database.write(scope.context) { connection in
            let member = try self.member(userID, in: scope, connection)
            guard member.role <= scope.membership.role else { throw IdentityError(.forbidden) }
            try Self.keepAnAdmin(scope, losing: member, connection, unless: false)
            try IdentityRecords.removeMembership(userID: userID, companyID: scope.companyID, connection)
            try SessionRecords.revokeAll(userID: userID, reason: "removed_from_company", connection)
            try self.audit(
                scope, "member.removed", target: userID, details: ["role": member.role.rawValue],
                clientAddress: clientAddress, connection)
        }
    }

    /// The company's members the actor may see: the whole company, or only their teams'.
    public func members(_ scope: TenantScope) async throws -> [(user: User, membership: Membership)] {
        guard let reach = Policy.reach(of: scope.membership, for: .readMembers) else { throw IdentityError(.forbidden) }
        return try await database.read(scope.context) { connection in
            try CompanyDirectory(scope: scope).members(connection).filter { entry in
                reach.covers(scope.relation(toOwner: entry.user.id, ownerTeamIDs: entry.membership.teamIDs))
            }
        }
    }

    /// Deactivates (or reactivates) an account; deactivation ends every session at once.
    public func setDeactivated(_ deactivated: Bool, email: String) async throws {
        guard let address = EmailAddress(email) else { throw IdentityError(.invalidRequest) }
        let userID = try await database.write { connection -> String? in
            guard let user = try IdentityRecords.user(email: address, connection) else { return nil }
            try IdentityRecords.setStatus(deactivated ? .deactivated : .active, userID: user.id, connection)
            if deactivated { try SessionRecords.revokeAll(userID: user.id, reason: "deactivated", connection) }
            return user.id
        }
        guard let userID else { throw IdentityError(.notFound) }
        logger.info(deactivated ? "auth.user.deactivated" : "auth.user.reactivated", "", [.userID: .string(userID)])
    }

    /// A member of the scope's company, or "not found" (a user of another company included).
    func member(_ userID: String, in scope: TenantScope, _ connection: any DatabaseConnection) throws -> Membership {
        guard let member = try IdentityRecords.membership(userID: userID, companyID: scope.companyID, connection) else {
            throw IdentityError(.notFound)
        }
        return member
    }

    /// Refuses a change that would leave the company without an admin.
    static func keepAnAdmin(
        _ scope: TenantScope, losing member: Membership, _ connection: any DatabaseConnection, unless stillAdmin: Bool
    ) throws {
        guard member.role == .admin, !stillAdmin else { return }
        // Two admins demoting each other at once must not both see two admins.
        _ = try connection.query(
            "SELECT id FROM companies WHERE id = \(scope.companyID)\(keyword: connection.dialect.forUpdate)")
        let admins = try CompanyDirectory(scope: scope).count(role: .admin, connection)
        guard admins > 1 else { throw IdentityError(.conflict) }
    }
}

import CallCoachCore
import CallCoachStore
import Foundation

extension IdentityService {
    /// Changes a member's role. Admins only, never their own role, never above their own; the
    /// member's sessions end so the new role applies from their next request.
    public func changeRole(_ principal: Principal, companyID: String, userID: String, role: String) async throws {
        guard let role = Role(name: role) else { throw IdentityError(.invalidRequest) }
        try await database.write { connection in
            let actor = try Self.administrator(principal, companyID: companyID, connection)
            guard userID != principal.userID, role <= actor.role else { throw IdentityError(.forbidden) }
            guard let member = try IdentityRecords.membership(userID: userID, companyID: companyID, connection) else {
                throw IdentityError(.notFound)
            }
            guard member.role <= actor.role else { throw IdentityError(.forbidden) }
            try IdentityRecords.upsert(Membership(companyID: companyID, userID: userID, role: role), connection)
            try SessionRecords.revokeAll(userID: userID, reason: "role_changed", connection)
        }
        logger.info(
            "auth.membership.role_changed", "", [.userID: .string(principal.userID), .companyID: .string(companyID)])
    }

    /// Removes a member from a company and ends their sessions.
    public func removeMember(_ principal: Principal, companyID: String, userID: String) async throws {
        try await database.write { connection in
            let actor = try Self.administrator(principal, companyID: companyID, connection)
            guard userID != principal.userID else { throw IdentityError(.forbidden) }
            guard let member = try IdentityRecords.membership(userID: userID, companyID: companyID, connection) else {
                throw IdentityError(.notFound)
            }
            guard member.role <= actor.role else { throw IdentityError(.forbidden) }
            try IdentityRecords.removeMembership(userID: userID, companyID: companyID, connection)
            try SessionRecords.revokeAll(userID: userID, reason: "removed_from_company", connection)
        }
        logger.info(
            "auth.membership.removed", "", [.userID: .string(principal.userID), .companyID: .string(companyID)])
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

    /// The caller's membership if it is an administrator's; "not found" for outsiders.
    static func administrator(_ principal: Principal, companyID: String, _ connection: any DatabaseConnection) throws
        -> Membership
    {
        guard
            let membership = try IdentityRecords.membership(userID: principal.userID, companyID: companyID, connection)
        else { throw IdentityError(.notFound) }
        guard membership.role >= .admin else { throw IdentityError(.forbidden) }
        return membership
    }
}

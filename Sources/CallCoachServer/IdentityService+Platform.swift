import CallCoachCore
import CallCoachStore
import Foundation

extension IdentityService {
    /// The scope a request to `companyID` acts in: the caller's membership, or, for a platform
    /// operator holding a live support grant, read-only support access. `nil` for anyone else.
    func scope(for principal: Principal, in companyID: String) async throws -> TenantScope? {
        let now = clock()
        return try await database.read(.user(principal.userID)) { connection -> TenantScope? in
            let memberships = try IdentityRecords.memberships(userID: principal.userID, connection)
            if let entry = memberships.first(where: { $0.membership.companyID == companyID }) {
                // A company that requires MFA admits no member without it, whenever they joined.
                if entry.company.requiresMFA,
                    try IdentityRecords.user(id: principal.userID, connection)?.mfaEnabled != true
                {
                    throw IdentityError(.enrollmentRequired)
                }
                return TenantScope(membership: entry.membership)
            }
            guard try IdentityRecords.user(id: principal.userID, connection)?.platformOperator == true,
                try SupportGrants.isActive(operatorID: principal.userID, companyID: companyID, at: now, connection)
            else { return nil }
            var membership = Membership(companyID: companyID, userID: principal.userID, role: .superAdmin)
            membership.viaSupportGrant = true
            return TenantScope(membership: membership)
        }
    }

    /// Records one request made under a support grant in the company's audit log.
    func auditSupportAccess(_ scope: TenantScope, route: String, clientAddress: String?) async throws {
        try await database.write(scope.context) { connection in
            try self.audit(scope, "support_access.request", target: route, clientAddress: clientAddress, connection)
        }
    }

    /// Whether the caller runs the platform.
    func isPlatformOperator(_ principal: Principal) async throws -> Bool {
        try await database.read { try IdentityRecords.user(id: principal.userID, $0)?.platformOperator == true }
    }

    /// Issues a grant for a platform operator to read the company for `hours` (1 to 72).
    public func issueSupportGrant(
        _ scope: TenantScope, operatorEmail: String, hours: Int, reason: String, clientAddress: String?
    ) async throws -> SupportGrant {
        try require(scope, .issueSupportGrants)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...72).contains(hours), (1...500).contains(reason.count), let email = EmailAddress(operatorEmail) else {
            throw IdentityError(.invalidRequest)
        }
        let now = clock()
        return try await database.write(scope.context) { connection in
            guard let operatorUser = try IdentityRecords.user(email: email, connection), operatorUser.platformOperator
            else { throw IdentityError(.invalidRequest) }
            let grant = SupportGrant(
                id: Identifier.make(), operatorID: operatorUser.id, grantedBy: scope.actorID, reason: reason,
                createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(hours * 3600)))
            try SupportGrants(scope: scope).insert(grant, connection)
            try self.audit(
                scope, "support_grant.issued", target: grant.id,
                details: ["operator": operatorUser.id, "hours": String(hours), "reason": reason],
                clientAddress: clientAddress, connection)
            return grant
        }
    }

    /// Every grant the company has issued; any member may see them.
    public func supportGrants(_ scope: TenantScope) async throws -> [SupportGrant] {
        try await database.read(scope.context) { try SupportGrants(scope: scope).all($0) }
    }

    public func revokeSupportGrant(_ scope: TenantScope, grantID: String, clientAddress: String?) async throws {
        try require(scope, .issueSupportGrants)
        let now = clock()
        try await database.write(scope.context) { connection in
            guard try SupportGrants(scope: scope).revoke(id: grantID, at: now, connection) else {
                throw IdentityError(.notFound)
            }
            try self.audit(scope, "support_grant.revoked", target: grantID, clientAddress: clientAddress, connection)
        }
    }

    /// Makes (or unmakes) an account a platform operator; a command-line operation.
    public func setPlatformOperator(_ value: Bool, email: String) async throws {
        guard let address = EmailAddress(email) else { throw IdentityError(.invalidRequest) }
        let userID = try await database.write { connection -> String? in
            guard let user = try IdentityRecords.user(email: address, connection) else { return nil }
            try IdentityRecords.setPlatformOperator(value, userID: user.id, connection)
            try SessionRecords.revokeAll(userID: user.id, reason: "platform_role_changed", connection)
            return user.id
        }
        guard let userID else { throw IdentityError(.notFound) }
        logger.info("platform.operator.changed", "", [.userID: .string(userID)])
    }
}

import CallCoachCore
import CallCoachStore
import CallCoachTelemetry
import Foundation

extension IdentityService {
    /// The user's membership of a company, read from the store (never from the token).
    public func membership(of userID: String, in companyID: String) async throws -> Membership? {
        try await database.read(.user(userID)) {
            try IdentityRecords.membership(userID: userID, companyID: companyID, $0)
        }
    }

    /// Logs and counts a refused authorization.
    func deny(_ event: StaticString, principal: Principal, companyID: String?) {
        var fields: [LogKey: LogValue] = [.userID: .string(principal.userID)]
        if let companyID { fields[.companyID] = .string(companyID) }
        logger.warning(event, "", fields)
        metrics.increment("callcoach_authz_denials_total")
    }

    /// Refuses unless the policy lets the scope's actor use `capability` at `relation`.
    func require(_ scope: TenantScope, _ capability: Capability, on relation: Relation = .sameCompany) throws {
        guard scope.allows(capability, on: relation) else {
            metrics.increment("callcoach_authz_denials_total")
            logger.warning(
                "authz.denied.relation", "", [.userID: .string(scope.actorID), .companyID: .string(scope.companyID)])
            throw IdentityError(.forbidden)
        }
    }

    /// Appends to the company's audit log inside the caller's transaction.
    func audit(
        _ scope: TenantScope, _ action: String, target: String, details: [String: String] = [:],
        clientAddress: String?, _ connection: any DatabaseConnection
    ) throws {
        let email = try IdentityRecords.user(id: scope.actorID, connection)?.email.value ?? ""
        try AuditLog(scope: scope).append(
            action: action, target: target, details: details, actorEmail: email,
            clientHash: keys.identityHash("ip", clientAddress ?? "unknown"), at: clock(), connection)
    }

    /// Appends an operator's platform-wide change to the platform's own audit chain.
    func auditPlatform(
        actorID: String, _ action: String, target: String, details: [String: String] = [:], clientAddress: String?,
        _ connection: any DatabaseConnection
    ) throws {
        let email = try IdentityRecords.user(id: actorID, connection)?.email.value ?? ""
        try AuditLog(platformActor: actorID).append(
            action: action, target: target, details: details, actorEmail: email,
            clientHash: keys.identityHash("ip", clientAddress ?? "unknown"), at: clock(), connection)
    }

    /// The company's audit log, newest first.
    public func auditEvents(
        _ scope: TenantScope, action: String?, actorID: String?, before: Int?, limit: Int
    ) async throws -> [AuditEvent] {
        try require(scope, .readAuditLog)
        return try await database.read(scope.context) {
            try AuditLog(scope: scope).events(action: action, actorID: actorID, before: before, limit: limit, $0)
        }
    }
}

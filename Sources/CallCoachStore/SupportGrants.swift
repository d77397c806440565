import CallCoachCore
import Foundation

/// A company's time-boxed permission for one platform operator to read its data.
public struct SupportGrant: Sendable, Equatable, Codable {
    public var id: String
    public var operatorID: String
    public var grantedBy: String
    public var reason: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(
        id: String, operatorID: String, grantedBy: String, reason: String, createdAt: Date, expiresAt: Date,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.operatorID = operatorID
        self.grantedBy = grantedBy
        self.reason = reason
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// Support grants as the company sees and manages them: bound to its tenant scope.
public struct SupportGrants: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func insert(_ grant: SupportGrant, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO support_grants (id, company_id, operator_id, granted_by, reason, created_at, expires_at) \
            VALUES (\(grant.id), \(scope.companyID), \(grant.operatorID), \(grant.grantedBy), \(grant.reason), \
            \(grant.createdAt), \(grant.expiresAt))
            """)
    }

    public func all(_ connection: any DatabaseConnection) throws -> [SupportGrant] {
        try connection.query(
            "SELECT * FROM support_grants WHERE company_id = \(scope.companyID) ORDER BY created_at DESC"
        ).map(Self.grant)
    }

    @discardableResult
    public func revoke(id: String, at time: Date, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            """
            UPDATE support_grants SET revoked_at = \(time) \
            WHERE id = \(id) AND company_id = \(scope.companyID) AND revoked_at IS NULL
            """) == 1
    }

    /// Whether `operatorID` holds a live grant for `companyID`. The one lookup made before any
    /// tenant scope exists, on the platform path of access control.
    public static func isActive(
        operatorID: String, companyID: String, at time: Date, _ connection: any DatabaseConnection
    ) throws -> Bool {
        try connection.queryOne(
            """
            SELECT id FROM support_grants WHERE company_id = \(companyID) AND operator_id = \(operatorID) \
            AND revoked_at IS NULL AND expires_at > \(time) LIMIT 1
            """) != nil
    }

    static func grant(_ row: Row) throws -> SupportGrant {
        SupportGrant(
            id: try row.decode("id"), operatorID: try row.decode("operator_id"),
            grantedBy: try row.decode("granted_by"),
            reason: try row.decode("reason"), createdAt: try row.decode("created_at"),
            expiresAt: try row.decode("expires_at"), revokedAt: try row.decode("revoked_at"))
    }
}

import Foundation

/// The scope's company's notification policy, stored as the JSON the server checked.
public struct NotificationPolicies: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// The stored policy's JSON, or `nil` when the company keeps the defaults.
    public func current(_ connection: any DatabaseConnection) throws -> String? {
        try connection.queryOne("SELECT policy FROM notification_policies WHERE company_id = \(scope.companyID)")
            .map { try $0.decode("policy") }
    }

    public func save(_ policy: String, at time: Date, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO notification_policies (company_id, policy, updated_at, updated_by) VALUES \
            (\(scope.companyID), \(policy), \(time), \(scope.actorID)) \
            ON CONFLICT (company_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at, \
            updated_by = excluded.updated_by
            """)
    }
}

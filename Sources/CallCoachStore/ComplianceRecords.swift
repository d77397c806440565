import Foundation

/// A compliance finding of a call, as stored; `finding` is its JSON (rule, regulation, evidence).
public struct StoredFinding: Sendable, Equatable {
    public let callID: String
    public let packID: String
    public let ruleID: String
    public let packVersion: Int
    public let severity: String
    public let finding: String
    public let followUpDue: Date?
    public let createdAt: Date
    /// When and by whom the follow-up was done.
    public var doneAt: Date?
    public var doneBy: String?

    public init(
        callID: String, packID: String, ruleID: String, packVersion: Int, severity: String, finding: String,
        followUpDue: Date?, createdAt: Date, doneAt: Date? = nil, doneBy: String? = nil
    ) {
        self.doneAt = doneAt
        self.doneBy = doneBy
        self.callID = callID
        self.packID = packID
        self.ruleID = ruleID
        self.packVersion = packVersion
        self.severity = severity
        self.finding = finding
        self.followUpDue = followUpDue
        self.createdAt = createdAt
    }
}

/// Which compliance packs the scope's company has switched on or off, and its calls' findings.
public struct ComplianceRecords: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// The packs the company chose explicitly: pack id → enabled.
    public func settings(_ connection: any DatabaseConnection) throws -> [String: Bool] {
        var settings: [String: Bool] = [:]
        for row in try connection.query(
            "SELECT pack_id, enabled FROM compliance_settings WHERE company_id = \(scope.companyID)")
        {
            settings[try row.decode("pack_id")] = try row.decode("enabled")
        }
        return settings
    }

    public func set(packID: String, enabled: Bool, at time: Date, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO compliance_settings (company_id, pack_id, enabled, updated_at, updated_by) \
            VALUES (\(scope.companyID), \(packID), \(enabled), \(time), \(scope.actorID)) \
            ON CONFLICT (company_id, pack_id) DO UPDATE SET enabled = excluded.enabled, \
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """)
    }

    /// The company's own packs: the newest version of each, as (id, version, definition JSON).
    public func customPacks(_ connection: any DatabaseConnection) throws -> [(
        id: String, version: Int, definition: String
    )] {
        try connection.query(
            """
            SELECT p.id, p.version, p.definition FROM company_packs p WHERE p.company_id = \(scope.companyID) \
            AND p.version = (SELECT MAX(v.version) FROM company_packs v WHERE v.company_id = p.company_id \
            AND v.id = p.id) ORDER BY p.id
            """
        ).map { (try $0.decode("id"), try $0.decode("version"), try $0.decode("definition")) }
    }

    public func saveCustomPack(
        id: String, version: Int, definition: String, at time: Date, _ connection: any DatabaseConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO company_packs (company_id, id, version, definition, created_at, created_by) VALUES \
            (\(scope.companyID), \(id), \(version), \(definition), \(time), \(scope.actorID))
            """)
    }

    /// Removes a company pack, every version, and its setting; its findings on past calls stay.
    public func deleteCustomPack(id: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            "DELETE FROM compliance_settings WHERE company_id = \(scope.companyID) AND pack_id = \(id)")
        return try connection.execute("DELETE FROM company_packs WHERE company_id = \(scope.companyID) AND id = \(id)")
            > 0
    }

    /// Replaces a call's findings, so processing it again leaves one set.
    public func replace(callID: String, _ findings: [StoredFinding], _ connection: any DatabaseConnection) throws {
        try connection.execute("DELETE FROM findings WHERE company_id = \(scope.companyID) AND call_id = \(callID)")
        for finding in findings {
            try connection.execute(
                """
                INSERT INTO findings (company_id, call_id, pack_id, rule_id, pack_version, severity, finding, \
                follow_up_due, created_at) VALUES (\(scope.companyID), \(callID), \(finding.packID), \
                \(finding.ruleID), \(finding.packVersion), \(finding.severity), \(finding.finding), \
                \(finding.followUpDue), \(finding.createdAt))
                """)
        }
    }

    public func findings(callID: String, _ connection: any DatabaseConnection) throws -> [StoredFinding] {
        try connection.query(
            """
            SELECT * FROM findings WHERE company_id = \(scope.companyID) AND call_id = \(callID) \
            ORDER BY pack_id, rule_id
            """
        ).map(Self.finding)
    }

    /// Findings that need a follow-up, soonest due first: the open ones, or the done ones.
    public func followUps(done: Bool, limit: Int, _ connection: any DatabaseConnection) throws -> [StoredFinding] {
        let state: SQL = done ? "done_at IS NOT NULL" : "done_at IS NULL"
        return try connection.query(
            """
            SELECT * FROM findings WHERE company_id = \(scope.companyID) AND follow_up_due IS NOT NULL \
            AND \(sql: state) ORDER BY follow_up_due, call_id LIMIT \(limit)
            """
        ).map(Self.finding)
    }

    /// Marks a finding's follow-up done; false when there is no such open follow-up.
    public func markDone(
        callID: String, packID: String, ruleID: String, at time: Date, _ connection: any DatabaseConnection
    ) throws -> Bool {
        try connection.execute(
            """
            UPDATE findings SET done_at = \(time), done_by = \(scope.actorID) WHERE company_id = \(scope.companyID) \
            AND call_id = \(callID) AND pack_id = \(packID) AND rule_id = \(ruleID) \
            AND follow_up_due IS NOT NULL AND done_at IS NULL
            """) == 1
    }

    static func finding(_ row: Row) throws -> StoredFinding {
        StoredFinding(
            callID: try row.decode("call_id"), packID: try row.decode("pack_id"), ruleID: try row.decode("rule_id"),
            packVersion: try row.decode("pack_version"), severity: try row.decode("severity"),
            finding: try row.decode("finding"), followUpDue: try row.decode("follow_up_due"),
            createdAt: try row.decode("created_at"), doneAt: try row.decode("done_at"),
            doneBy: try row.decode("done_by"))
    }
}

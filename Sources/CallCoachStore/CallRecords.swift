import CallCoachCore
import Foundation

/// A company's calls, reachable only through its tenant scope; lists apply the actor's reach.
public struct CallRecords: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func insert(_ call: Call, idempotencyKey: String?, _ connection: any DatabaseConnection) throws {
        let channelMap = try call.channelMap.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try connection.execute(
            """
            INSERT INTO calls (id, company_id, agent_id, team_id, direction, started_at, customer_phone, \
            customer_time_zone, external_id, debt_id, channel_map, source, media_format, status, progress, \
            uploaded_by, idempotency_key, created_at, updated_at) VALUES (\(call.id), \(scope.companyID), \
            \(call.agentID), \(call.teamID), \(call.direction), \(call.startedAt), \(call.customerPhone), \
            \(call.customerTimeZone), \(call.externalID), \(call.debtID), \(channelMap), \(call.source.rawValue), \
            \(call.mediaFormat), \(call.status.rawValue), \(call.progress), \(call.uploadedBy), \(idempotencyKey), \
            \(call.createdAt), \(call.updatedAt))
            """)
    }

    public func call(id: String, _ connection: any DatabaseConnection) throws -> Call? {
        try connection.queryOne("SELECT * FROM calls WHERE id = \(id) AND company_id = \(scope.companyID)").map(
            Self.call)
    }

    /// The call an earlier upload with the same `Idempotency-Key` made.
    public func call(idempotencyKey: String, _ connection: any DatabaseConnection) throws -> Call? {
        try connection.queryOne(
            "SELECT * FROM calls WHERE company_id = \(scope.companyID) AND idempotency_key = \(idempotencyKey)"
        ).map(Self.call)
    }

    /// Which calls a list may show: the actor's own, their teams', or the whole company's.
    public enum Visibility: Sendable {
        case own(userID: String)
        case teams([String], userID: String)
        case company
    }

    public struct Filter: Sendable {
        public var agentID: String?
        public var teamID: String?
        public var status: CallStatus?
        public var from: Date?
        public var to: Date?
        public init() {}
    }

    /// Calls newest first, at most `limit`, starting after the cursor (created time and id).
    public func list(
        visibility: Visibility, filter: Filter, after cursor: (Date, String)?, limit: Int,
        _ connection: any DatabaseConnection
    ) throws -> [Call] {
        var sql: SQL = "SELECT * FROM calls WHERE company_id = \(scope.companyID)"
        switch visibility {
        case .own(let userID):
            sql = "\(sql: sql) AND agent_id = \(userID)"
        case .teams(let teams, let userID):
            var clause: SQL = "agent_id = \(userID)"
            for team in teams { clause = "\(sql: clause) OR team_id = \(team)" }
            sql = "\(sql: sql) AND (\(sql: clause))"
        case .company:
            break
        }
        if let agent = filter.agentID { sql = "\(sql: sql) AND agent_id = \(agent)" }
        if let team = filter.teamID { sql = "\(sql: sql) AND team_id = \(team)" }
        if let status = filter.status { sql = "\(sql: sql) AND status = \(status.rawValue)" }
        if let from = filter.from { sql = "\(sql: sql) AND created_at >= \(from)" }
        if let to = filter.to { sql = "\(sql: sql) AND created_at < \(to)" }
        if let (time, id) = cursor {
            sql = "\(sql: sql) AND (created_at < \(time) OR (created_at = \(time) AND id < \(id)))"
        }
        return try connection.query("\(sql: sql) ORDER BY created_at DESC, id DESC LIMIT \(min(max(limit, 1), 200))")
            .map(Self.call)
    }

    /// Moves the call on in the pipeline.
    public func update(
        id: String, status: CallStatus, progress: Int, failure: String? = nil, at time: Date,
        _ connection: any DatabaseConnection
    ) throws {
        try connection.execute(
            """
            UPDATE calls SET status = \(status.rawValue), progress = \(progress), failure = \(failure), \
            updated_at = \(time) WHERE id = \(id) AND company_id = \(scope.companyID)
            """)
    }

    /// The company's other calls to a number (about one debt, when given) that started in
    /// `since..<before`, with their reports.
    public func calls(
        customerPhone: String, debtID: String?, since: Date, before: Date, excluding id: String,
        _ connection: any DatabaseConnection
    ) throws -> [(startedAt: Date, report: String?)] {
        var sql: SQL = """
            SELECT started_at, report FROM calls WHERE company_id = \(scope.companyID) \
            AND customer_phone = \(customerPhone) AND started_at >= \(since) AND started_at < \(before) AND id <> \(id)
            """
        if let debtID { sql = "\(sql: sql) AND debt_id = \(debtID)" }
        return try connection.query(sql).map { (try $0.decode("started_at"), try $0.decode("report")) }
    }

    /// The call's recording is now in `format` (a redacted version replaced the upload).
    public func setMediaFormat(id: String, _ format: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            "UPDATE calls SET media_format = \(format) WHERE id = \(id) AND company_id = \(scope.companyID)")
    }

    /// Stores the analysis and marks the call ready.
    public func complete(
        id: String, duration: Double, report: String, at time: Date, _ connection: any DatabaseConnection
    )
        throws
    {
        try connection.execute(
            """
            UPDATE calls SET status = 'ready', progress = 100, failure = NULL, duration = \(duration), \
            report = \(report), updated_at = \(time) WHERE id = \(id) AND company_id = \(scope.companyID)
            """)
    }

    /// The stored analysis report (JSON) of a ready call.
    public func report(id: String, _ connection: any DatabaseConnection) throws -> String? {
        try connection.queryOne("SELECT report FROM calls WHERE id = \(id) AND company_id = \(scope.companyID)")?
            .decode("report", as: String?.self) ?? nil
    }

    static func call(_ row: Row) throws -> Call {
        var call = Call(
            id: try row.decode("id"), companyID: try row.decode("company_id"),
            source: CallSource(rawValue: try row.decode("source")) ?? .audio,
            mediaFormat: try row.decode("media_format"), uploadedBy: try row.decode("uploaded_by"),
            createdAt: try row.decode("created_at"))
        call.agentID = try row.decode("agent_id")
        call.teamID = try row.decode("team_id")
        call.direction = try row.decode("direction")
        call.startedAt = try row.decode("started_at")
        call.customerPhone = try row.decode("customer_phone")
        call.customerTimeZone = try row.decode("customer_time_zone")
        call.externalID = try row.decode("external_id")
        call.debtID = try row.decode("debt_id")
        call.channelMap = try row.decode("channel_map", as: String?.self).flatMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }
        call.status = CallStatus(rawValue: try row.decode("status")) ?? .failed
        call.progress = try row.decode("progress")
        call.failure = try row.decode("failure")
        call.duration = try row.decode("duration")
        call.updatedAt = try row.decode("updated_at")
        return call
    }
}

/// The versions of a company's blobs: which is current, under which key version, and when the
/// older ones were superseded (purged 30 days later).
public struct BlobVersions: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// The next version number for `key`.
    public func nextVersion(_ key: BlobKey, _ connection: any DatabaseConnection) throws -> Int {
        let row = try connection.queryOne(
            """
            SELECT MAX(version) AS latest FROM blobs WHERE company_id = \(scope.companyID) \
            AND collection = \(key.collection) AND id = \(key.id)
            """)
        return (try row?.decode("latest", as: Int?.self) ?? nil).map { $0 + 1 } ?? 1
    }

    /// Records a written version as current; the previous current one is superseded.
    public func record(
        _ key: BlobKey, version: Int, keyVersion: Int, size: Int, sha256: String, at time: Date,
        _ connection: any DatabaseConnection
    ) throws {
        try connection.execute(
            """
            UPDATE blobs SET superseded_at = \(time) WHERE company_id = \(scope.companyID) \
            AND collection = \(key.collection) AND id = \(key.id) AND superseded_at IS NULL
            """)
        try connection.execute(
            """
            INSERT INTO blobs (company_id, collection, id, version, key_version, size, sha256, created_at) \
            VALUES (\(scope.companyID), \(key.collection), \(key.id), \(version), \(keyVersion), \(size), \
            \(sha256), \(time))
            """)
    }

    /// Every stored version of `key`.
    public func versions(_ key: BlobKey, _ connection: any DatabaseConnection) throws -> [Int] {
        try connection.query(
            """
            SELECT version FROM blobs WHERE company_id = \(scope.companyID) AND collection = \(key.collection) \
            AND id = \(key.id) ORDER BY version
            """
        ).map { try $0.decode("version") }
    }

    /// Forgets one version at once, not after the 30 days of superseded ones; its file goes too.
    public func forget(_ key: BlobKey, version: Int, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            DELETE FROM blobs WHERE company_id = \(scope.companyID) AND collection = \(key.collection) \
            AND id = \(key.id) AND version = \(version)
            """)
    }

    /// The current version of `key`, if any.
    public func current(_ key: BlobKey, _ connection: any DatabaseConnection) throws -> Int? {
        try connection.queryOne(
            """
            SELECT version FROM blobs WHERE company_id = \(scope.companyID) AND collection = \(key.collection) \
            AND id = \(key.id) AND superseded_at IS NULL
            """)?.decode("version")
    }
}

/// Key versions and purging across companies: platform work.
public enum BlobMaintenance {
    public static func currentKeyVersion(_ connection: any DatabaseConnection) throws -> Int {
        try connection.queryOne("SELECT MAX(version) AS version FROM key_versions")?.decode("version") ?? 1
    }

    /// Introduces a new key version; new writes use it from now on.
    public static func addKeyVersion(at time: Date, _ connection: any DatabaseConnection) throws -> Int {
        let next = try currentKeyVersion(connection) + 1
        try connection.execute("INSERT INTO key_versions (version, created_at) VALUES (\(next), \(time))")
        return next
    }

    public struct StoredVersion: Sendable {
        public let companyID: String
        public let collection: String
        public let id: String
        public let version: Int
        public let keyVersion: Int
    }

    /// Versions superseded before `cutoff`, due for purging.
    public static func superseded(before cutoff: Date, _ connection: any DatabaseConnection) throws -> [StoredVersion] {
        try connection.query("SELECT * FROM blobs WHERE superseded_at IS NOT NULL AND superseded_at < \(cutoff)").map(
            version)
    }

    /// Versions still under an older key than `keyVersion`.
    public static func underOlderKeys(than keyVersion: Int, limit: Int, _ connection: any DatabaseConnection) throws
        -> [StoredVersion]
    {
        try connection.query("SELECT * FROM blobs WHERE key_version < \(keyVersion) LIMIT \(limit)").map(version)
    }

    public static func forget(_ version: StoredVersion, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            DELETE FROM blobs WHERE company_id = \(version.companyID) AND collection = \(version.collection) \
            AND id = \(version.id) AND version = \(version.version)
            """)
    }

    public static func rekeyed(_ version: StoredVersion, to keyVersion: Int, _ connection: any DatabaseConnection)
        throws
    {
        try connection.execute(
            """
            UPDATE blobs SET key_version = \(keyVersion) WHERE company_id = \(version.companyID) \
            AND collection = \(version.collection) AND id = \(version.id) AND version = \(version.version)
            """)
    }

    static func version(_ row: Row) throws -> StoredVersion {
        StoredVersion(
            companyID: try row.decode("company_id"), collection: try row.decode("collection"), id: try row.decode("id"),
            version: try row.decode("version"), keyVersion: try row.decode("key_version"))
    }
}

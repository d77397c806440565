import CallCoachCore
import CallCoachCrypto
import Foundation

/// One entry of a company's audit log.
public struct AuditEvent: Sendable, Equatable, Codable {
    public var sequence: Int
    public var occurredAt: Date
    public var actorID: String
    public var actorEmail: String
    public var action: String
    public var target: String
    /// A JSON object with the details of the change.
    public var details: String
    /// Keyed hash of the client address; never the address itself.
    public var clientHash: String
    public var previousHash: String
    public var hash: String

    /// The SHA-256 that chains this entry to the one before: every field, length-prefixed.
    static func chainHash(
        companyID: String, sequence: Int, occurredAt: Date, actorID: String, actorEmail: String, action: String,
        target: String, details: String, clientHash: String, previousHash: String
    ) -> String {
        let millis = String(Int64((occurredAt.timeIntervalSince1970 * 1000).rounded()))
        let fields = [
            companyID, String(sequence), millis, actorID, actorEmail, action, target, details, clientHash, previousHash,
        ]
        let encoded = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return Hex.encode(SHA256.hash(Array(encoded.utf8)))
    }
}

/// A company's append-only, hash-chained audit log.
public struct AuditLog: Sendable {
    /// The hash that stands before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Whose chain: a company's id, or `platform` for the operator's own actions.
    let chainID: String
    let actorID: String
    let events: String
    let heads: String

    /// The company's log, written by the scope's actor.
    public init(scope: TenantScope) {
        chainID = scope.companyID
        actorID = scope.actorID
        (events, heads) = ("audit_events", "audit_heads")
    }

    /// The platform's log of what operators changed across companies (rate limits, dead letters).
    public init(platformActor actorID: String) {
        chainID = Self.platformChain
        self.actorID = actorID
        (events, heads) = ("platform_audit_events", "platform_audit_heads")
    }

    /// The chain id the platform log uses in breaks and hashes.
    public static let platformChain = "platform"

    /// Appends an entry in the caller's transaction, chained to the last one.
    @discardableResult
    public func append(
        action: String, target: String, details: [String: String] = [:], actorEmail: String, clientHash: String,
        at time: Date = Date(), _ connection: any DatabaseConnection
    ) throws -> AuditEvent {
        // The head row orders concurrent appends: it is locked until this transaction ends.
        try connection.execute(
            """
            INSERT INTO \(keyword: heads) (company_id, sequence, hash) VALUES (\(chainID), 0, \(Self.genesis)) \
            ON CONFLICT (company_id) DO NOTHING
            """)
        let head = try connection.queryOne(
            "SELECT sequence, hash FROM \(keyword: heads) WHERE company_id = \(chainID)\(keyword: connection.dialect.forUpdate)"
        )
        let sequence = (try head?.decode("sequence", as: Int.self) ?? 0) + 1
        let previous = try head?.decode("hash", as: String.self) ?? Self.genesis
        let detailText = String(
            decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        let occurredAt = Date(timeIntervalSince1970: (time.timeIntervalSince1970 * 1000).rounded() / 1000)
        let hash = AuditEvent.chainHash(
            companyID: chainID, sequence: sequence, occurredAt: occurredAt, actorID: actorID,
            actorEmail: actorEmail, action: action, target: target, details: detailText, clientHash: clientHash,
            previousHash: previous)
        let event = AuditEvent(
            sequence: sequence, occurredAt: occurredAt, actorID: actorID, actorEmail: actorEmail, action: action,
            target: target, details: detailText, clientHash: clientHash, previousHash: previous, hash: hash)
        try connection.execute(
            """
            INSERT INTO \(keyword: events) (company_id, sequence, occurred_at, actor_id, actor_email, action, target, details, \
            client_hash, previous_hash, hash) VALUES (\(chainID), \(sequence), \(occurredAt), \(actorID), \
            \(actorEmail), \(action), \(target), \(detailText), \(clientHash), \(previous), \(hash))
            """)
        // The head records where the chain ends, so deleting the newest entries is caught too.
        try connection.execute(
            "UPDATE \(keyword: heads) SET sequence = \(sequence), hash = \(hash) WHERE company_id = \(chainID)")
        return event
    }

    /// Entries newest first, optionally filtered, before `sequence` for paging.
    public func events(
        action: String? = nil, actorID: String? = nil, before sequence: Int? = nil, limit: Int = 50,
        _ connection: any DatabaseConnection
    ) throws -> [AuditEvent] {
        var sql: SQL = "SELECT * FROM \(keyword: events) WHERE company_id = \(chainID)"
        if let action { sql = "\(sql: sql) AND action = \(action)" }
        if let actorID { sql = "\(sql: sql) AND actor_id = \(actorID)" }
        if let sequence { sql = "\(sql: sql) AND sequence < \(sequence)" }
        return try connection.query("\(sql: sql) ORDER BY sequence DESC LIMIT \(min(max(limit, 1), 200))").map(
            Self.event)
    }

    /// A break in some company's chain: the first entry that does not follow from the one before.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public let companyID: String
        public let sequence: Int
        public let reason: String

        public var description: String { "company \(companyID): entry \(sequence) \(reason)" }
    }

    /// Walks every company's chain, and checks that it ends where its head says, returning the
    /// first break of each chain that has one. A platform operation: it reads across companies.
    public static func verifyAll(_ connection: any DatabaseConnection) throws -> [Break] {
        try verify(events: "audit_events", heads: "audit_heads", connection)
            + verify(events: "platform_audit_events", heads: "platform_audit_heads", connection)
    }

    private static func verify(events: String, heads: String, _ connection: any DatabaseConnection) throws -> [Break] {
        var ends: [String: (sequence: Int, hash: String)] = [:]
        var breaks: [String: Break] = [:]
        for row in try connection.query("SELECT * FROM \(keyword: events) ORDER BY company_id, sequence") {
            let companyID: String = try row.decode("company_id")
            guard breaks[companyID] == nil else { continue }
            let expected = ends[companyID].map { ($0.sequence + 1, $0.hash) } ?? (1, genesis)
            let event = try Self.event(row)
            if let reason = Self.problem(with: event, companyID: companyID, expecting: expected) {
                breaks[companyID] = Break(companyID: companyID, sequence: expected.0, reason: reason)
            } else {
                ends[companyID] = (event.sequence, event.hash)
            }
        }
        for head in try connection.query("SELECT company_id, sequence, hash FROM \(keyword: heads)") {
            let companyID: String = try head.decode("company_id")
            guard breaks[companyID] == nil else { continue }
            let last = ends[companyID] ?? (0, genesis)
            if try head.decode("sequence", as: Int.self) != last.sequence
                || head.decode("hash", as: String.self) != last.hash
            {
                breaks[companyID] = Break(companyID: companyID, sequence: last.sequence + 1, reason: "is missing")
            }
        }
        return breaks.values.sorted { ($0.companyID, $0.sequence) < ($1.companyID, $1.sequence) }
    }

    /// Why `event` does not follow from the entry before it, or `nil` when it does.
    private static func problem(
        with event: AuditEvent, companyID: String, expecting expected: (sequence: Int, previous: String)
    ) -> String? {
        let recomputed = AuditEvent.chainHash(
            companyID: companyID, sequence: event.sequence, occurredAt: event.occurredAt, actorID: event.actorID,
            actorEmail: event.actorEmail, action: event.action, target: event.target, details: event.details,
            clientHash: event.clientHash, previousHash: event.previousHash)
        if event.sequence != expected.sequence { return "is missing" }
        if event.previousHash != expected.previous { return "does not link to the entry before it" }
        if recomputed != event.hash { return "was changed after it was written" }
        return nil
    }

    static func event(_ row: Row) throws -> AuditEvent {
        AuditEvent(
            sequence: try row.decode("sequence"), occurredAt: try row.decode("occurred_at"),
            actorID: try row.decode("actor_id"), actorEmail: try row.decode("actor_email"),
            action: try row.decode("action"), target: try row.decode("target"), details: try row.decode("details"),
            clientHash: try row.decode("client_hash"), previousHash: try row.decode("previous_hash"),
            hash: try row.decode("hash"))
    }
}

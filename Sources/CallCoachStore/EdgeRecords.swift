import Foundation

/// A Super-Admin's replacement for a rate-limit policy's default, for every company or one.
public struct RateLimitOverride: Sendable, Equatable, Codable {
    public var policy: String
    /// Empty for the platform-wide override.
    public var companyID: String
    public var maxRequests: Int
    public var windowSeconds: Int
    public var updatedAt: Date
    public var updatedBy: String

    public init(
        policy: String, companyID: String, maxRequests: Int, windowSeconds: Int, updatedAt: Date, updatedBy: String
    ) {
        self.policy = policy
        self.companyID = companyID
        self.maxRequests = maxRequests
        self.windowSeconds = windowSeconds
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// Live rate-limit overrides; every server process reads them.
public enum RateLimitOverrides {
    public static func all(_ connection: any DatabaseConnection) throws -> [RateLimitOverride] {
        try connection.query("SELECT * FROM rate_limit_overrides ORDER BY policy, company_id").map { row in
            RateLimitOverride(
                policy: try row.decode("policy"), companyID: try row.decode("company_id"),
                maxRequests: try row.decode("max_requests"), windowSeconds: try row.decode("window_seconds"),
                updatedAt: Date(timeIntervalSince1970: TimeInterval(try row.decode("updated_at", as: Int64.self))),
                updatedBy: try row.decode("updated_by"))
        }
    }

    public static func save(_ override: RateLimitOverride, _ connection: any DatabaseConnection) throws {
        let updatedAt = Int64(override.updatedAt.timeIntervalSince1970)
        try connection.execute(
            """
            INSERT INTO rate_limit_overrides (policy, company_id, max_requests, window_seconds, updated_at, updated_by) \
            VALUES (\(override.policy), \(override.companyID), \(override.maxRequests), \(override.windowSeconds), \
            \(updatedAt), \(override.updatedBy)) \
            ON CONFLICT (policy, company_id) DO UPDATE SET max_requests = excluded.max_requests, \
            window_seconds = excluded.window_seconds, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """)
    }

    /// Removes an override; `false` when there was none.
    public static func remove(policy: String, companyID: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            "DELETE FROM rate_limit_overrides WHERE policy = \(policy) AND company_id = \(companyID)") == 1
    }
}

/// Attestation tokens already spent, kept until they expire, so none is accepted twice.
public enum AttestationTokens {
    /// Records `tokenHash` as spent; `false` if it already was.
    public static func spend(tokenHash: String, expiresAt: Int64, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            """
            INSERT INTO attestation_tokens (token_hash, expires_at) VALUES (\(tokenHash), \(expiresAt)) \
            ON CONFLICT (token_hash) DO NOTHING
            """) == 1
    }

    public static func prune(before cutoff: Int64, _ connection: any DatabaseConnection) throws {
        try connection.execute("DELETE FROM attestation_tokens WHERE expires_at < \(cutoff)")
    }
}

/// A browser's report that the content security policy blocked something, reduced to what
/// diagnoses it: the page's path, the directive, and the blocked origin or keyword.
public struct PolicyViolation: Sendable, Equatable, Codable {
    public var id: String
    public var receivedAt: Date
    public var documentPath: String
    public var directive: String
    public var blocked: String

    public init(id: String, receivedAt: Date, documentPath: String, directive: String, blocked: String) {
        self.id = id
        self.receivedAt = receivedAt
        self.documentPath = documentPath
        self.directive = directive
        self.blocked = blocked
    }
}

public enum PolicyViolations {
    public static func insert(_ report: PolicyViolation, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO csp_reports (id, received_at, document_path, directive, blocked) VALUES (\(report.id), \
            \(Int64(report.receivedAt.timeIntervalSince1970)), \(report.documentPath), \(report.directive), \
            \(report.blocked))
            """)
    }

    public static func recent(limit: Int, _ connection: any DatabaseConnection) throws -> [PolicyViolation] {
        try connection.query("SELECT * FROM csp_reports ORDER BY received_at DESC, id LIMIT \(limit)").map { row in
            PolicyViolation(
                id: try row.decode("id"),
                receivedAt: Date(timeIntervalSince1970: TimeInterval(try row.decode("received_at", as: Int64.self))),
                documentPath: try row.decode("document_path"), directive: try row.decode("directive"),
                blocked: try row.decode("blocked"))
        }
    }
}

/// A prospect's request for a demonstration, from the public form, for the platform operator.
public struct DemoRequest: Sendable, Equatable, Codable {
    public var id: String
    public var createdAt: Date
    public var name: String
    public var email: String
    public var company: String
    public var message: String

    public init(id: String, createdAt: Date, name: String, email: String, company: String, message: String) {
        self.id = id
        self.createdAt = createdAt
        self.name = name
        self.email = email
        self.company = company
        self.message = message
    }
}

public enum DemoRequests {
    public static func insert(_ request: DemoRequest, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO demo_requests (id, created_at, name, email, company, message) VALUES (\(request.id), \
            \(Int64(request.createdAt.timeIntervalSince1970)), \(request.name), \(request.email), \
            \(request.company), \(request.message))
            """)
    }

    public static func recent(limit: Int, _ connection: any DatabaseConnection) throws -> [DemoRequest] {
        try connection.query("SELECT * FROM demo_requests ORDER BY created_at DESC, id LIMIT \(limit)").map { row in
            DemoRequest(
                id: try row.decode("id"),
                createdAt: Date(timeIntervalSince1970: TimeInterval(try row.decode("created_at", as: Int64.self))),
                name: try row.decode("name"), email: try row.decode("email"), company: try row.decode("company"),
                message: try row.decode("message"))
        }
    }
}

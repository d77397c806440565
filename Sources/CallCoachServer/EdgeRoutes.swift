import CallCoachCore
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// The public write endpoints and their protections, violation reports, and the platform
/// operator's view of them: rate-limit overrides, demo requests, policy reports.
struct EdgeRoutes: Sendable {
    let identity: IdentityService
    let limits: RateLimits
    let attestation: Attestation
    let logger: Logger
    let metrics: Metrics

    static let reportPath = "/api/v1/csp-reports"

    /// The route policies the edge limiter applies per client address, besides the global one.
    static let routePolicies: [String: RateLimitPolicy] = [
        "POST /api/v1/public/challenge": .challenges,
        "POST /api/v1/public/demo-requests": .publicDemo,
        "POST \(reportPath)": .policyReports,
        "POST /api/v1/auth/login": .signInAddress,
        "POST /api/v1/auth/mfa": .mfaAddress,
        "POST /api/v1/auth/password-reset": .emailAddress,
        "POST /api/v1/companies/{companyId}/invitations": .emailAddress,
    ]

    struct DemoRequestBody: Decodable { let name: String, workEmail: String, company: String, message: String? }
    struct OverrideBody: Decodable { let maxRequests: Int, windowSeconds: Int, companyId: String? }

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/public/challenge", access: Access.anonymous, bodyLimit: 0) { _ in
            try .json(attestation.challenge(), status: 201)
        }
        router.add(.post, "/api/v1/public/demo-requests", access: Access.anonymous, bodyLimit: 16 * 1024) { request in
            let body = try await StrictJSON.decode(
                DemoRequestBody.self, from: request,
                fields: [
                    .text("name", 1...200), .email("workEmail"), .text("company", 1...200),
                    .text("message", 0...2000, required: false),
                ])
            try await attestation.verify(request, once: true)
            let stored = DemoRequest(
                id: Identifier.make(), createdAt: identity.clock(), name: Self.trimmed(body.name),
                email: EmailAddress(body.workEmail)?.value ?? body.workEmail, company: Self.trimmed(body.company),
                message: Self.trimmed(body.message ?? ""))
            try await identity.database.write { try DemoRequests.insert(stored, $0) }
            logger.info("public.demo_request.received")
            return try .json(["id": stored.id], status: 202)
        }
        router.add(.post, Self.reportPath, access: Access.anonymous, bodyLimit: 16 * 1024) { request in
            let bytes = try await request.body.collect(upTo: 16 * 1024)
            guard let violation = Self.violation(from: bytes, at: identity.clock()) else {
                throw HTTPError(400, detail: "The body is not a content-security-policy report.")
            }
            try await identity.database.write { try PolicyViolations.insert(violation, $0) }
            metrics.increment("callcoach_csp_violations_total")
            logger.warning("security.csp_violation", "", [.reason: .string(violation.directive)])
            return Response(status: 204)
        }
        registerPlatform(in: &router)
    }

    private func registerPlatform(in router: inout Router) {
        let base = "/api/v1/platform"
        router.add(.get, base + "/rate-limits", access: Access.platform(.manageRateLimits)) { _ in
            try .json(try await limits.describe())
        }
        router.add(
            .put, base + "/rate-limits/{policy}", access: Access.platform(.manageRateLimits), bodyLimit: 8192
        ) { request in
            let policy = try Self.policy(request)
            let body = try await StrictJSON.decode(
                OverrideBody.self, from: request,
                fields: [
                    .integer("maxRequests", RateLimit.maxRequestsRange),
                    .integer("windowSeconds", RateLimit.windowRange),
                    .text("companyId", 1...64, required: false),
                ])
            let principal = try request.principal()
            let companyID = body.companyId ?? ""
            let limit = RateLimit(maxRequests: body.maxRequests, windowSeconds: body.windowSeconds)
            try await identity.database.write(.platform) { connection in
                if !companyID.isEmpty, try IdentityRecords.company(id: companyID, connection) == nil {
                    throw HTTPError(404, detail: "No company has this id.")
                }
                try RateLimitOverrides.save(
                    RateLimitOverride(
                        policy: policy.rawValue, companyID: companyID, maxRequests: limit.maxRequests,
                        windowSeconds: limit.windowSeconds, updatedAt: identity.clock(), updatedBy: principal.userID),
                    connection)
                try identity.auditPlatform(
                    actorID: principal.userID, "rate_limit.overridden", target: policy.rawValue,
                    details: [
                        "company": companyID, "maxRequests": String(limit.maxRequests),
                        "windowSeconds": String(limit.windowSeconds),
                    ], clientAddress: request.remoteAddress, connection)
            }
            limits.invalidate()
            return try .json(limit)
        }
        router.add(.delete, base + "/rate-limits/{policy}", access: Access.platform(.manageRateLimits)) { request in
            let policy = try Self.policy(request)
            let principal = try request.principal()
            let companyID = request.queryValue("companyId") ?? ""
            try await identity.database.write(.platform) { connection in
                guard try RateLimitOverrides.remove(policy: policy.rawValue, companyID: companyID, connection) else {
                    throw HTTPError(404, detail: "No override exists for this policy.")
                }
                try identity.auditPlatform(
                    actorID: principal.userID, "rate_limit.reset", target: policy.rawValue,
                    details: ["company": companyID], clientAddress: request.remoteAddress, connection)
            }
            limits.invalidate()
            return Response(status: 204)
        }
        router.add(.get, base + "/demo-requests", access: Access.platform(.manageCompanies)) { _ in
            try .json([
                "demoRequests": try await identity.database.read(.platform) { try DemoRequests.recent(limit: 200, $0) }
            ])
        }
        router.add(.get, base + "/csp-reports", access: Access.platform(.manageCompanies)) { _ in
            try .json([
                "reports": try await identity.database.read(.platform) { try PolicyViolations.recent(limit: 200, $0) }
            ])
        }
        router.add(.get, base + "/audit-log", access: Access.platform(.manageCompanies)) { request in
            let events = try await identity.database.read(.platform) { connection in
                try AuditLog(platformActor: "").events(
                    action: request.queryValue("action"), before: request.queryValue("before").flatMap { Int($0) },
                    connection)
            }
            return try .json(["events": events])
        }
    }

    private static func policy(_ request: Request) throws -> RateLimitPolicy {
        guard let policy = RateLimitPolicy(rawValue: try request.parameter("policy")) else {
            throw HTTPError(404, detail: "No rate-limit policy has this name.")
        }
        return policy
    }

    private static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The parts of a browser's report worth keeping, from either report format
    /// (`application/csp-report` or `application/reports+json`); nothing personal survives.
    static func violation(from bytes: [UInt8], at time: Date) -> PolicyViolation? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return nil }
        let body: [String: Any]?
        if let legacy = (json as? [String: Any])?["csp-report"] as? [String: Any] {
            body = legacy
        } else if let reports = json as? [[String: Any]],
            let first = reports.first(where: { $0["type"] as? String == "csp-violation" })
        {
            body = first["body"] as? [String: Any]
        } else {
            body = nil
        }
        guard let body else { return nil }
        let document = (body["document-uri"] ?? body["documentURL"]) as? String ?? ""
        let directive =
            (body["effective-directive"] ?? body["effectiveDirective"] ?? body["violated-directive"]) as? String
        let blocked = (body["blocked-uri"] ?? body["blockedURL"]) as? String ?? ""
        guard let directive else { return nil }
        let directiveName = String(directive.prefix { $0.isLetter || $0 == "-" }.prefix(40))
        guard !directiveName.isEmpty else { return nil }
        return PolicyViolation(
            id: Identifier.make(), receivedAt: time,
            documentPath: String((URL(string: document)?.path ?? "").prefix(200)),
            directive: directiveName, blocked: Self.origin(of: blocked))
    }

    /// `inline`, `eval` and similar keywords as sent; for a URL, only its origin.
    static func origin(of blocked: String) -> String {
        guard let url = URL(string: blocked), let scheme = url.scheme, let host = url.host else {
            return String(blocked.prefix { $0.isLetter || $0 == "-" }.prefix(40))
        }
        return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
    }
}

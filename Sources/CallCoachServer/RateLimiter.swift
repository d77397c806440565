import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation
import Synchronization

/// A named limit on how often one client, account or company may do something.
enum RateLimitPolicy: String, CaseIterable, Codable, Sendable {
    /// Every request, per client address.
    case global
    /// Public write endpoints such as the demo request and the public demo analysis, per client address.
    case publicDemo = "public-demo"
    case signInAddress = "sign-in.address"
    case signInAccount = "sign-in.account"
    case mfaAddress = "mfa.address"
    case mfaAccount = "mfa.account"
    /// Endpoints that send e-mail (password reset, invitations), per client address.
    case emailAddress = "email.address"
    /// The same, per recipient, so one inbox cannot be flooded from many addresses.
    case emailAccount = "email.account"
    /// Proof-of-work challenges handed out, per client address.
    case challenges
    /// Content-security-policy violation reports, per client address.
    case policyReports = "policy-reports"

    /// The limit when no override applies.
    func defaultLimit(globalPerMinute: Int) -> RateLimit {
        switch self {
        case .global: RateLimit(maxRequests: globalPerMinute, windowSeconds: 60)
        case .publicDemo: RateLimit(maxRequests: 10, windowSeconds: 300)
        case .signInAddress, .mfaAddress: RateLimit(maxRequests: 30, windowSeconds: 300)
        case .signInAccount, .mfaAccount: RateLimit(maxRequests: 20, windowSeconds: 300)
        case .emailAddress: RateLimit(maxRequests: 20, windowSeconds: 3600)
        case .emailAccount: RateLimit(maxRequests: 5, windowSeconds: 3600)
        case .challenges: RateLimit(maxRequests: 60, windowSeconds: 60)
        case .policyReports: RateLimit(maxRequests: 60, windowSeconds: 60)
        }
    }
}

struct RateLimit: Codable, Sendable, Equatable {
    var maxRequests: Int
    var windowSeconds: Int

    static let maxRequestsRange = 1...10_000_000
    static let windowRange = 1...86_400
}

/// One counted request: where the count stands in its window.
struct RateLimitDecision: Sendable {
    let limit: Int
    let count: Int
    let resetSeconds: Int64

    var remaining: Int { max(0, limit - count) }
    var allowed: Bool { count <= limit }

    var headers: HTTPHeaders {
        [
            "RateLimit-Limit": String(limit), "RateLimit-Remaining": String(remaining),
            "RateLimit-Reset": String(resetSeconds),
        ]
    }
}

/// Fixed-window counters in the database, shared by every server process, with the Super-Admin's
/// live overrides read at most `refreshInterval` seconds late. Fails closed: when the counters or
/// the overrides cannot be read, the request is refused.
final class RateLimits: Sendable {
    let database: any Database
    let keys: KeyRing
    let globalPerMinute: Int
    let logger: Logger
    let metrics: Metrics
    let clock: @Sendable () -> Date
    /// How old the cached overrides may grow before they are read again.
    static let refreshInterval: TimeInterval = 30

    private struct Cache {
        var overrides: [String: RateLimit] = [:]
        var loadedAt: Date?
    }
    private let cache = Mutex(Cache())

    init(
        database: any Database, keys: KeyRing, globalPerMinute: Int, logger: Logger, metrics: Metrics,
        clock: @escaping @Sendable () -> Date
    ) {
        self.database = database
        self.keys = keys
        self.globalPerMinute = globalPerMinute
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
    }

    /// The limit in force for `policy` in `companyID` (or outside any company).
    func effectiveLimit(_ policy: RateLimitPolicy, companyID: String?) async throws -> RateLimit {
        let overrides = try await currentOverrides()
        return overrides[Self.overrideKey(policy.rawValue, companyID ?? "")] ?? overrides[
            Self.overrideKey(policy.rawValue, "")]
            ?? policy.defaultLimit(globalPerMinute: globalPerMinute)
    }

    /// Counts one request by `identity` against `policy`; throws 429 past the limit and 503 when the store fails.
    @discardableResult
    func consume(_ policy: RateLimitPolicy, identity: String, companyID: String? = nil) async throws
        -> RateLimitDecision
    {
        let decision = try await count(policy, identity: identity, companyID: companyID)
        guard decision.allowed else { throw refusal(policy, decision) }
        return decision
    }

    /// Counts one request without judging it, for callers that combine several policies.
    func count(_ policy: RateLimitPolicy, identity: String, companyID: String?) async throws -> RateLimitDecision {
        do {
            let limit = try await effectiveLimit(policy, companyID: companyID)
            let now = Int64(clock().timeIntervalSince1970)
            let window = Int64(limit.windowSeconds)
            let windowStart = now - now % window
            let key = keys.identityHash(
                "ratelimit:\(policy.rawValue):\(companyID ?? ""):\(limit.windowSeconds)", identity)
            let count = try await database.write {
                try RateLimitCounters.increment(key: key, windowStart: windowStart, $0)
            }
            return RateLimitDecision(limit: limit.maxRequests, count: count, resetSeconds: windowStart + window - now)
        } catch {
            logger.error("ratelimit.store_unavailable", "the rate-limit store is unreachable; refusing")
            metrics.increment("callcoach_ratelimit_store_failures_total")
            throw HTTPError(503, detail: "The service is temporarily unavailable.", headers: ["Retry-After": "5"])
        }
    }

    /// The 429 for a request past `decision`'s limit.
    func refusal(_ policy: RateLimitPolicy, _ decision: RateLimitDecision) -> HTTPError {
        metrics.increment("callcoach_ratelimit_denials_total")
        logger.info("ratelimit.denied", "", [.policy: .string(policy.rawValue)])
        var headers = decision.headers
        headers.set("Retry-After", String(decision.resetSeconds))
        return HTTPError(429, detail: "Too many requests; slow down.", headers: headers)
    }

    /// Every policy with its default and live overrides, for the platform operator.
    struct PolicyState: Encodable {
        let policy: String
        let defaultLimit: RateLimit
        let overrides: [RateLimitOverride]
    }

    func describe() async throws -> [String: [PolicyState]] {
        let rows = try await database.read { try RateLimitOverrides.all($0) }
        let policies = RateLimitPolicy.allCases.map { policy in
            PolicyState(
                policy: policy.rawValue, defaultLimit: policy.defaultLimit(globalPerMinute: globalPerMinute),
                overrides: rows.filter { $0.policy == policy.rawValue })
        }
        return ["policies": policies]
    }

    /// Forgets the cached overrides, so the next request reads them (after a change in this process).
    func invalidate() {
        cache.withLock { $0.loadedAt = nil }
    }

    private func currentOverrides() async throws -> [String: RateLimit] {
        let now = clock()
        let cached = cache.withLock { cache -> [String: RateLimit]? in
            guard let loadedAt = cache.loadedAt, now.timeIntervalSince(loadedAt) < Self.refreshInterval,
                now >= loadedAt
            else { return nil }
            return cache.overrides
        }
        if let cached { return cached }
        let rows = try await database.read { try RateLimitOverrides.all($0) }
        var overrides: [String: RateLimit] = [:]
        for row in rows {
            overrides[Self.overrideKey(row.policy, row.companyID)] = RateLimit(
                maxRequests: row.maxRequests, windowSeconds: row.windowSeconds)
        }
        cache.withLock { $0 = Cache(overrides: overrides, loadedAt: now) }
        return overrides
    }

    private static func overrideKey(_ policy: String, _ companyID: String) -> String { "\(policy)\n\(companyID)" }
}

/// The edge limits, applied before access control and any handler: the global limit per client
/// address on every route, plus the route's own policy. The answer carries the tighter limit's headers.
struct RateLimiter: Middleware {
    let limits: RateLimits
    /// Route-specific policies, keyed by `METHOD pattern`, counted per client address.
    let routePolicies: [String: RateLimitPolicy]
    /// Routes outside the limit: the operations endpoints that load balancers poll.
    static let exempt: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, next: Handler) async throws -> Response {
        guard let route = request.route, !Self.exempt.contains(route) else { return try await next(request) }
        let client = request.remoteAddress ?? "unknown"
        let companyID = request.parameters["companyId"]
        var policies: [RateLimitPolicy] = [.global]
        if let policy = routePolicies["\(request.method.rawValue) \(route)"] { policies.append(policy) }
        var tightest: RateLimitDecision?
        for policy in policies {
            let decision = try await limits.count(policy, identity: client, companyID: companyID)
            guard decision.allowed else { throw limits.refusal(policy, decision) }
            if tightest.map({ decision.remaining < $0.remaining }) ?? true { tightest = decision }
        }
        let headers = tightest?.headers ?? [:]
        do {
            var response = try await next(request)
            Self.add(headers, to: &response.headers)
            return response
        } catch let error as any ProblemConvertible {
            var error = error.httpError
            Self.add(headers, to: &error.headers)
            throw error
        } catch var error as HTTPError {
            Self.add(headers, to: &error.headers)
            throw error
        }
    }

    /// Adds the headers the inner layers did not set themselves (an inner 429 keeps its own).
    static func add(_ headers: HTTPHeaders, to target: inout HTTPHeaders) {
        for (name, value) in headers where !target.contains(name) { target.set(name, value) }
    }
}

import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// The edge limit: requests per client address per minute, counted in the database so every
/// server process shares one count. If the counters cannot be reached it refuses (fails closed).
struct RateLimiter: Middleware {
    let database: any Database
    let keys: KeyRing
    let limit: Int
    let window: Int64
    let logger: Logger
    let metrics: Metrics
    let clock: @Sendable () -> Date
    /// Routes outside the limit: the operations endpoints that load balancers poll.
    static let exempt: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, next: Handler) async throws -> Response {
        guard let route = request.route, !Self.exempt.contains(route) else { return try await next(request) }
        let now = Int64(clock().timeIntervalSince1970)
        let windowStart = now - now % window
        let key = keys.identityHash("edge", request.remoteAddress ?? "unknown")
        let count: Int
        do {
            count = try await database.write { try RateLimitCounters.increment(key: key, windowStart: windowStart, $0) }
        } catch {
            logger.error("ratelimit.store_unavailable", "the rate-limit counters are unreachable; refusing")
            metrics.increment("callcoach_ratelimit_store_failures_total")
            throw HTTPError(503, detail: "The service is temporarily unavailable.", headers: ["Retry-After": "5"])
        }
        let reset = windowStart + window - now
        var headers: HTTPHeaders = [
            "RateLimit-Limit": String(limit), "RateLimit-Remaining": String(max(0, limit - count)),
            "RateLimit-Reset": String(reset),
        ]
        guard count <= limit else {
            metrics.increment("callcoach_ratelimit_denials_total")
            logger.info("ratelimit.denied", "", [.route: .string(route)])
            headers.set("Retry-After", String(reset))
            throw HTTPError(429, detail: "Too many requests; slow down.", headers: headers)
        }
        do {
            var response = try await next(request)
            for (name, value) in headers { response.headers.set(name, value) }
            return response
        } catch let error as any ProblemConvertible {
            throw Self.adding(headers, to: error.httpError)
        } catch let error as HTTPError {
            throw Self.adding(headers, to: error)
        }
    }

    /// The same refusal, carrying the rate-limit headers too.
    static func adding(_ headers: HTTPHeaders, to error: HTTPError) -> HTTPError {
        var error = error
        for (name, value) in headers { error.headers.set(name, value) }
        return error
    }
}

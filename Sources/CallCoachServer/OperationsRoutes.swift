import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry

/// `/healthz`, `/readyz` and `/metrics`.
struct OperationsRoutes: Sendable {
    let database: any Database
    let metrics: Metrics
    /// When set, `/metrics` answers requests that present it as a bearer token; when `nil`, it
    /// answers everyone (the loopback admin listener) or nobody (`metricsOpen == false`).
    let metricsToken: Secret?
    let metricsOpen: Bool

    struct Status: Encodable {
        let status: String
    }

    func register(in router: inout Router) {
        router.add(.get, "/healthz", access: Access.anonymous) { _ in try .json(Status(status: "ok")) }
        router.add(.get, "/readyz", access: Access.anonymous) { _ in
            guard await database.isReachable() else {
                throw HTTPError(503, detail: "The database is not reachable.")
            }
            return try .json(Status(status: "ready"))
        }
        router.add(.get, "/metrics", access: Access.metricsToken) { request in
            guard metricsOpen || isAuthorized(request) else { throw HTTPError.notFound }
            var response = Response.text(metrics.exposition())
            response.headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            return response
        }
    }

    private func isAuthorized(_ request: Request) -> Bool {
        guard let token = metricsToken, let header = request.headers["Authorization"], header.hasPrefix("Bearer ")
        else { return false }
        return ConstantTime.equal(SHA256.hash(header.dropFirst(7).utf8), SHA256.hash(token.value.utf8))
    }
}

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
    /// The embedded engines: ready only when they can load; their memory goes to `/metrics`.
    let engines: Engines

    struct Status: Encodable {
        let status: String
    }

    func register(in router: inout Router) {
        router.add(.get, "/healthz", access: Access.anonymous) { _ in try .json(Status(status: "ok")) }
        router.add(.get, "/readyz", access: Access.anonymous) { _ in
            guard await database.isReachable() else {
                throw HTTPError(503, detail: "The database is not reachable.")
            }
            guard engines.problems().isEmpty else {
                throw HTTPError(503, detail: "An embedded speech or embedding model cannot load; the log says why.")
            }
            return try .json(Status(status: "ready"))
        }
        router.add(.get, "/metrics", access: Access.metricsToken) { request in
            guard metricsOpen || isAuthorized(request) else { throw HTTPError.notFound }
            for (engine, bytes) in engines.memory() {
                metrics.setGauge("callcoach_engine_memory_bytes", labels: ["engine": engine], Double(bytes))
            }
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

import CallCoachTelemetry

/// Limits applied to every request before any handler runs.
public struct RequestLimits: Sendable {
    /// The longest request target (path and query) accepted; longer gets 414.
    public var maxTargetBytes: Int
    /// The largest request head accepted; larger gets 431.
    public var maxHeadBytes: Int

    public init(maxTargetBytes: Int = 8 * 1024, maxHeadBytes: Int = 16 * 1024) {
        self.maxTargetBytes = maxTargetBytes
        self.maxHeadBytes = maxHeadBytes
    }
}

/// The head of a request, before its body arrives.
public struct RequestHead: Sendable {
    public var method: HTTPMethod
    public var target: String
    public var headers: HTTPHeaders
    public var headBytes: Int
    public var scheme: String
    /// The connection's peer address, numeric.
    public var remoteAddress: String?

    public init(
        method: HTTPMethod, target: String, headers: HTTPHeaders, headBytes: Int, scheme: String,
        remoteAddress: String? = nil
    ) {
        self.remoteAddress = remoteAddress
        self.method = method
        self.target = target
        self.headers = headers
        self.headBytes = headBytes
        self.scheme = scheme
    }

    /// The announced body length; `nil` when the client sent none.
    public var contentLength: Int? { headers["Content-Length"].flatMap { Int($0) } }

    /// Whether a body follows the head.
    public var hasBody: Bool {
        (contentLength ?? 0) > 0 || headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true
    }
}

/// Routes, middleware and the rules every response follows; the server and the test client both call it.
public final class HTTPApplication: Sendable {
    /// The HSTS value sent on every HTTPS response.
    public static let strictTransportSecurity = "max-age=63072000; includeSubDomains; preload"

    public let router: Router
    public let limits: RequestLimits
    public let logger: Logger
    public let metrics: Metrics
    public let securityHeaders: SecurityHeaders
    public let trustedProxies: TrustedProxies
    /// Answers requests that match no route, in place of 404 (and, when it covers every miss, 400 and 405).
    let fallback: Route?
    let fallbackCoversEveryMiss: Bool

    public init(
        router: Router, middleware: [any Middleware] = [], limits: RequestLimits = RequestLimits(),
        logger: Logger, metrics: Metrics = Metrics(), securityHeaders: SecurityHeaders = SecurityHeaders(),
        trustedProxies: TrustedProxies = TrustedProxies(), fallback: Handler? = nil,
        fallbackCoversEveryMiss: Bool = true
    ) {
        self.fallbackCoversEveryMiss = fallbackCoversEveryMiss
        self.securityHeaders = securityHeaders
        self.trustedProxies = trustedProxies
        self.fallback = fallback.map { Route(.get, "/*", access: FallbackAccess(), handler: middleware.wrapping($0)) }
        var wrapped = Router()
        for route in router.routes {
            wrapped.add(
                Route(
                    route.method, route.pattern, access: route.access, bodyLimit: route.bodyLimit, cache: route.cache,
                    handler: middleware.wrapping(route.handler)))
        }
        self.router = wrapped
        self.limits = limits
        self.logger = logger
        self.metrics = metrics
    }

    /// What to do with a request once its head has arrived.
    public enum Resolution: Sendable {
        /// Answer at once, without reading the body.
        case reject(HTTPError, route: String?)
        case handle(Route, parameters: [String: String])
    }

    /// Checks the head against the limits and the routes, before any body is read.
    public func resolve(_ head: RequestHead) -> Resolution {
        guard HTTPMethod.known.contains(head.method) else { return .reject(.notImplemented, route: nil) }
        guard head.target.utf8.count <= limits.maxTargetBytes else { return .reject(.uriTooLong, route: nil) }
        guard head.headBytes <= limits.maxHeadBytes else { return .reject(.headersTooLarge, route: nil) }
        let rawPath = String(head.target.prefix { $0 != "?" })
        let match = router.match(method: head.method, rawPath: rawPath)
        if let fallback, fallbackCoversEveryMiss ? !match.isFound : match.isNotFound {
            return .handle(fallback, parameters: [:])
        }
        switch match {
        case .malformed:
            return .reject(.badRequest, route: nil)
        case .notFound:
            return .reject(.notFound, route: nil)
        case .methodNotAllowed(let allowed):
            let error = HTTPError(
                405, detail: "This resource does not support the request method.",
                headers: ["Allow": allowed.map(\.rawValue).joined(separator: ", ")])
            return .reject(error, route: nil)
        case .found(let route, let parameters):
            if let length = head.contentLength, length > route.bodyLimit {
                return .reject(.payloadTooLarge, route: route.pattern)
            }
            return .handle(route, parameters: parameters)
        }
    }

    /// Answers a request completely; never throws, since every failure becomes a problem response.
    public func respond(to request: Request) async -> Response {
        let head = RequestHead(
            method: request.method, target: request.target, headers: request.headers, headBytes: request.headBytes,
            scheme: request.scheme)
        return await respond(to: request, resolution: resolve(head), started: .now)
    }

    /// Answers a request whose head was already resolved.
    public func respond(to request: Request, resolution: Resolution, started: ContinuousClock.Instant) async
        -> Response
    {
        var request = request
        request.peerAddress = request.remoteAddress
        request.remoteAddress = trustedProxies.clientAddress(
            peer: request.remoteAddress, forwardedFor: request.headers.values("X-Forwarded-For"))
        let response: Response
        switch resolution {
        case .reject(let error, let route):
            return reject(request, with: error, route: route, started: started)
        case .handle(let route, let parameters):
            request.route = route.pattern
            request.access = route.access
            request.parameters = parameters
            request.cachePolicy = route.cache
            if request.hasMalformedQuery {
                response = problem(for: .badRequest, request: request)
            } else {
                response = await run(route, request)
            }
        }
        return finish(response, for: request, started: started)
    }

    /// The finished response for a request refused before its handler ran.
    public func reject(_ request: Request, with error: HTTPError, route: String?, started: ContinuousClock.Instant)
        -> Response
    {
        var request = request
        request.route = route
        return finish(problem(for: error, request: request), for: request, started: started)
    }

    private func run(_ route: Route, _ request: Request) async -> Response {
        var request = request
        request.body = RequestBody(
            source: request.body.source, limit: route.bodyLimit, declaredLength: request.body.declaredLength)
        do {
            return try await route.handler(request)
        } catch let error as HTTPError {
            return problem(for: error, request: request)
        } catch let error as any ProblemConvertible {
            if error.httpError.status >= 500 {
                logger.error(
                    "http.handler.unavailable", "a handler could not reach what it needs",
                    [
                        .requestID: .string(request.id), .route: .string(route.pattern),
                        .errorType: .string("\(type(of: error))"),
                    ])
            }
            return problem(for: error.httpError, request: request)
        } catch {
            logger.error(
                "http.handler.failed", "a handler threw an unexpected error",
                [
                    .requestID: .string(request.id), .route: .string(route.pattern),
                    .errorType: .string(String(describing: type(of: error))),
                ])
            return problem(for: .internalError, request: request)
        }
    }

    /// The problem response for `error`, with the request id inside.
    public func problem(for error: HTTPError, request: Request) -> Response {
        Problem(error, requestID: request.id).response(headers: error.headers)
    }

    /// Adds the headers every response carries, writes the access log line and counts the request.
    public func finish(_ response: Response, for request: Request, started: ContinuousClock.Instant) -> Response {
        var response = response
        response.headers.set("X-Request-Id", request.id)
        securityHeaders.apply(to: &response, nonce: request.cspNonce, cacheable: request.cachePolicy == .immutable)
        if request.scheme == "https" {
            response.headers.set("Strict-Transport-Security", Self.strictTransportSecurity)
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = request.route ?? "unmatched"
        let method = HTTPMethod.known.contains(request.method) ? request.method.rawValue : "OTHER"
        metrics.recordRequest(method: method, route: route, status: response.status, seconds: seconds)
        logger.info(
            "http.request", "",
            [
                .requestID: .string(request.id), .method: .string(method), .route: .string(route),
                .status: .int(response.status), .durationMilliseconds: .double(seconds * 1000),
                .bytes: .int(response.body.count),
            ])
        return response
    }
}

/// An error that knows which HTTP problem it becomes; domain errors adopt it.
public protocol ProblemConvertible: Error {
    var httpError: HTTPError { get }
}

/// The access of the catch-all route a fallback handler answers on.
struct FallbackAccess: RouteAccess {
    var description: String { "fallback" }
}

/// Handles one request and produces its response.
public typealias Handler = @Sendable (Request) async throws -> Response

/// What a route demands of its caller. The product defines the kinds; the server refuses to
/// start while any route has none.
public protocol RouteAccess: Sendable, CustomStringConvertible {}

/// One route: a method, a path pattern with `{name}` segments, and what it needs.
public struct Route: Sendable {
    public let method: HTTPMethod
    public let pattern: String
    /// Who may call it; `nil` only until declared.
    public let access: (any RouteAccess)?
    /// The largest request body this route accepts, in bytes.
    public let bodyLimit: Int
    /// Whether caches may store its answers; only fingerprinted static assets may.
    public let cache: CachePolicy
    public let handler: Handler
    let segments: [Segment]

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public init(
        _ method: HTTPMethod, _ pattern: String, access: (any RouteAccess)? = nil, bodyLimit: Int? = nil,
        cache: CachePolicy = .noStore, handler: @escaping Handler
    ) {
        self.cache = cache
        self.method = method
        self.pattern = pattern
        self.access = access
        self.bodyLimit = bodyLimit ?? Router.defaultBodyLimit
        self.handler = handler
        self.segments = Self.split(pattern).map { segment in
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                return .parameter(String(segment.dropFirst().dropLast()))
            }
            return .literal(segment)
        }
    }

    static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }

    /// The decoded parameters if `path` (already split and decoded) matches this route's pattern.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal) where literal != value: return nil
            case .literal: continue
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}

/// The outcome of looking a request up in the router.
public enum RouteMatch: Sendable {
    case found(Route, parameters: [String: String])
    /// The path exists but not for this method; carries the methods that do.
    case methodNotAllowed(allowed: [HTTPMethod])
    case notFound
    /// The path has a malformed escape or invalid UTF-8.
    case malformed

    var isNotFound: Bool {
        if case .notFound = self { return true }
        return false
    }

    var isFound: Bool {
        if case .found = self { return true }
        return false
    }
}

/// Matches requests to routes by path and method.
public struct Router: Sendable {
    /// The body limit for routes that do not set one: 1 MiB.
    public static let defaultBodyLimit = 1 << 20

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ route: Route) {
        precondition(
            !routes.contains { $0.method == route.method && $0.segments == route.segments },
            "duplicate route \(route.method) \(route.pattern)")
        routes.append(route)
    }

    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, access: (any RouteAccess)? = nil, bodyLimit: Int? = nil,
        cache: CachePolicy = .noStore, handler: @escaping Handler
    ) {
        add(Route(method, pattern, access: access, bodyLimit: bodyLimit, cache: cache, handler: handler))
    }

    /// Routes that declare no access rule.
    public var undeclared: [Route] { routes.filter { $0.access == nil } }

    /// Finds the route for `method` and a raw, still percent-encoded `path`. HEAD falls back to GET.
    public func match(method: HTTPMethod, rawPath: String) -> RouteMatch {
        guard rawPath.hasPrefix("/") else { return .malformed }
        var segments: [String] = []
        for raw in Route.split(rawPath) {
            guard let decoded = PercentEncoding.decode(raw) else { return .malformed }
            segments.append(decoded)
        }
        var allowed: [HTTPMethod] = []
        for route in routes {
            guard let parameters = route.match(segments) else { continue }
            if route.method == method { return .found(route, parameters: parameters) }
            allowed.append(route.method)
        }
        if method == .head, let get = routes.first(where: { $0.method == .get && $0.match(segments) != nil }) {
            return .found(get, parameters: get.match(segments) ?? [:])
        }
        guard !allowed.isEmpty else { return .notFound }
        if allowed.contains(.get) { allowed.append(.head) }
        return .methodNotAllowed(allowed: allowed)
    }
}

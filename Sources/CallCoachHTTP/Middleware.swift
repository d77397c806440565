/// A step every request passes through on its way to the handler.
public protocol Middleware: Sendable {
    func handle(_ request: Request, next: Handler) async throws -> Response
}

/// A middleware made from a closure.
public struct ClosureMiddleware: Middleware {
    let body: @Sendable (Request, Handler) async throws -> Response

    public init(_ body: @escaping @Sendable (Request, Handler) async throws -> Response) {
        self.body = body
    }

    public func handle(_ request: Request, next: Handler) async throws -> Response {
        try await body(request, next)
    }
}

extension Array where Element == any Middleware {
    /// The handler wrapped by every middleware, the first element outermost.
    func wrapping(_ handler: @escaping Handler) -> Handler {
        reversed().reduce(handler) { next, middleware in
            { request in try await middleware.handle(request, next: next) }
        }
    }
}

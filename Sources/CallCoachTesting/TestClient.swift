import CallCoachHTTP

/// Drives an `HTTPApplication` in-process, without sockets: routing, middleware, limits and
/// problem responses behave exactly as behind the server.
public struct TestClient: Sendable {
    public let application: HTTPApplication
    public var scheme = "https"
    /// The peer address requests appear to come from.
    public var remoteAddress: String?

    public init(_ application: HTTPApplication) {
        self.application = application
    }

    /// Sends one request and returns the finished response.
    public func send(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: [UInt8] = []
    ) async -> Response {
        var headers = headers
        if !body.isEmpty && !headers.contains("Content-Length") { headers.set("Content-Length", String(body.count)) }
        let request = Request(
            method: method, target: target, headers: headers, body: RequestBody(bytes: body), scheme: scheme,
            remoteAddress: remoteAddress)
        return await application.respond(to: request)
    }

    /// Sends a request whose body arrives from `source` chunk by chunk, with no declared length.
    public func send(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], streaming source: any BodySource
    )
        async -> Response
    {
        let request = Request(
            method: method, target: target, headers: headers,
            body: RequestBody(source: source, limit: .max, declaredLength: nil), scheme: scheme)
        return await application.respond(to: request)
    }

    public func get(_ target: String, headers: HTTPHeaders = [:]) async -> Response {
        await send(.get, target, headers: headers)
    }

    /// Sends `json` as an `application/json` body.
    public func send(
        _ method: HTTPMethod, _ target: String, json: String, headers: HTTPHeaders = [:]
    ) async -> Response {
        var headers = headers
        headers.set("Content-Type", "application/json")
        return await send(method, target, headers: headers, body: Array(json.utf8))
    }
}

/// An RFC 9457 problem details document.
public struct Problem: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var requestId: String?

    public init(type: String = "about:blank", title: String, status: Int, detail: String? = nil, requestId: String?) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.requestId = requestId
    }

    /// The problem for an `HTTPError`, titled with the status's reason phrase.
    public init(_ error: HTTPError, requestID: String?) {
        self.init(
            type: error.type, title: HTTPStatus.reasonPhrase(error.status), status: error.status, detail: error.detail,
            requestId: requestID)
    }

    /// The problem as an `application/problem+json` response.
    public func response(headers extra: HTTPHeaders = [:]) -> Response {
        var headers = extra
        headers.set("Content-Type", "application/problem+json")
        let body = (try? JSON.encode(self)).map(Array.init) ?? Array("{\"status\":\(status)}".utf8)
        return Response(status: status, headers: headers, body: body)
    }
}

/// Reason phrases for the statuses the server uses.
public enum HTTPStatus {
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: status < 500 ? "Client Error" : "Server Error"
        }
    }
}

/// An error a handler throws to answer with a particular status.
///
/// `detail` is shown to the client, so it must be a fixed sentence that reveals nothing about
/// the server's internals: no stack, no SQL, no file path, no personal data.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var detail: String?
    public var type: String
    public var headers: HTTPHeaders

    public init(_ status: Int, detail: String? = nil, type: String = "about:blank", headers: HTTPHeaders = [:]) {
        self.status = status
        self.detail = detail
        self.type = type
        self.headers = headers
    }

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.type == rhs.type && lhs.detail == rhs.detail
    }

    public static let badRequest = HTTPError(400, detail: "The request could not be understood.")
    public static let notFound = HTTPError(404, detail: "No resource exists at this address.")
    public static let payloadTooLarge = HTTPError(413, detail: "The request body is larger than this endpoint accepts.")
    public static let uriTooLong = HTTPError(414, detail: "The request target is longer than the server accepts.")
    public static let headersTooLarge = HTTPError(
        431, detail: "The request header fields are larger than the server accepts.")
    public static let notImplemented = HTTPError(501, detail: "The request method is not supported.")
    public static let unavailable = HTTPError(503, detail: "The server is shutting down; retry shortly.")
    public static let internalError = HTTPError(500, detail: "The server could not complete the request.")
}

import CallCoachHTTP

/// Why an identity operation was refused. Each maps to one problem response whose wording does
/// not tell an attacker which check failed.
public struct IdentityError: Error, Equatable, ProblemConvertible {
    public enum Code: String, Sendable {
        case invalidCredentials, locked, invalidToken, invalidCode, enrollmentRequired, forbidden, weakPassword
        case invalidRequest, notFound, conflict
    }

    public let code: Code
    /// Seconds to wait, for `locked`.
    public var retryAfter: Int64?

    public init(_ code: Code, retryAfter: Int64? = nil) {
        self.code = code
        self.retryAfter = retryAfter
    }

    public var httpError: HTTPError {
        switch code {
        case .invalidCredentials:
            HTTPError(401, detail: "The e-mail address or password is incorrect.")
        case .locked:
            HTTPError(
                429, detail: "Too many failed attempts; try again later.",
                headers: ["Retry-After": String(retryAfter ?? 60)])
        case .invalidToken:
            HTTPError(
                401, detail: "The credentials are missing, invalid or expired.",
                headers: ["WWW-Authenticate": "Bearer realm=\"callcoach\""])
        case .invalidCode:
            HTTPError(401, detail: "The code is not valid.")
        case .enrollmentRequired:
            HTTPError(
                403, detail: "Your company requires multi-factor authentication; enrol before continuing.",
                type: "/problems/mfa-enrollment-required")
        case .forbidden:
            HTTPError(403, detail: "You are not allowed to do this.")
        case .weakPassword:
            HTTPError(422, detail: "The password must be 12 to 256 characters long.")
        case .invalidRequest:
            HTTPError(400, detail: "The request body is not valid.")
        case .notFound:
            .notFound
        case .conflict:
            HTTPError(409, detail: "The request conflicts with the current state.")
        }
    }
}

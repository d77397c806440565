import CallCoachCrypto
import CallCoachHTTP
import Foundation

/// Finds and verifies the credentials on a request: a bearer token, or the session cookie of a
/// browser, whose state-changing requests must also come from our own origin.
struct Authenticator: Sendable {
    static let accessCookie = "__Host-callcoach_access"
    static let refreshCookie = "__Host-callcoach_refresh"

    let identity: IdentityService
    /// The origin browsers use, e.g. `https://calls.example.com`; without it, the request's own host.
    let publicOrigin: String?

    /// The verified principal. Sessions held to MFA enrolment pass only where `enrollment` is true.
    func principal(_ request: Request, enrollment: Bool = false) async throws -> IdentityService.Principal {
        let token: String
        if let header = request.headers["Authorization"] {
            guard header.hasPrefix("Bearer "), header.count > 7 else { throw IdentityError(.invalidToken) }
            token = String(header.dropFirst(7))
        } else if let cookie = Self.cookie(Self.accessCookie, in: request) {
            try checkOrigin(request)
            token = cookie
        } else {
            throw IdentityError(.invalidToken)
        }
        let principal = try await identity.authenticate(accessToken: token)
        if principal.enrollmentOnly && !enrollment { throw IdentityError(.enrollmentRequired) }
        return principal
    }

    /// Refuses a state-changing browser request that does not come from our own pages (CSRF).
    func checkOrigin(_ request: Request) throws {
        guard ![.get, .head, .options].contains(request.method) else { return }
        let expected = publicOrigin ?? request.headers["Host"].map { "https://" + $0 }
        if let origin = request.headers["Origin"] {
            guard origin == expected else { throw IdentityError(.forbidden) }
        } else if request.headers["Sec-Fetch-Site"] != "same-origin" {
            throw IdentityError(.forbidden)
        }
    }

    /// When the request's access token ends (its `exp`), read without checking the signature:
    /// only for telling a page when to renew, after access control has verified the token.
    static func expiry(of request: Request) -> Int? {
        let bearer = request.headers["Authorization"].flatMap {
            $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil
        }
        guard let token = bearer ?? cookie(accessCookie, in: request) else { return nil }
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
            let claims = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let expiry = claims["exp"] as? NSNumber
        else { return nil }
        return expiry.intValue
    }

    /// The value of a cookie, if the request carries it.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2 && parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` values carrying a token pair to a browser, or clearing it.
    static func cookies(for tokens: IdentityService.TokenPair?) -> [String] {
        let attributes = "; Path=/; Secure; HttpOnly; SameSite=Strict"
        guard let tokens else {
            return [accessCookie + "=" + attributes + "; Max-Age=0", refreshCookie + "=" + attributes + "; Max-Age=0"]
        }
        return [
            accessCookie + "=" + tokens.accessToken + attributes + "; Max-Age=\(tokens.expiresIn)",
            refreshCookie + "=" + tokens.refreshToken + attributes + "; Max-Age=2592000",
        ]
    }
}

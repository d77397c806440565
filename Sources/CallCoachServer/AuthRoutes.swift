import CallCoachCore
import CallCoachHTTP
import CallCoachStore
import Foundation

/// The sign-in, session, password, MFA and invitation endpoints under `/api/v1`.
struct AuthRoutes: Sendable {
    let identity: IdentityService
    let authenticator: Authenticator
    let mailer: Mailer
    let limits: RateLimits

    struct Credentials: Decodable { let email: String, password: String }
    struct MFAAnswer: Decodable { let mfaToken: String, code: String }
    struct RefreshRequest: Decodable { let refreshToken: String? }
    struct PasswordChange: Decodable { let currentPassword: String, newPassword: String }
    struct ResetRequest: Decodable { let email: String }
    struct ResetConfirmation: Decodable { let token: String, newPassword: String }
    struct Code: Decodable { let code: String }
    struct PasswordOnly: Decodable { let password: String }
    struct Acceptance: Decodable { let token: String, password: String?, displayName: String? }

    /// The account an e-mail names, canonical as sign-in looks it up, so variants share one count.
    static func account(_ email: String) -> String {
        EmailAddress(email)?.value ?? email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/auth/login", access: Access.anonymous, bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(Credentials.self, from: request, allowed: ["email", "password"])
            try Self.checkLengths(body.email, body.password)
            try await limits.consume(.signInAccount, identity: Self.account(body.email))
            switch try await identity.login(
                email: body.email, password: body.password, remoteAddress: request.remoteAddress)
            {
            case .signedIn(let tokens): return try Self.tokens(tokens)
            case .mfaRequired(let token):
                return try .json(["mfaRequired": .bool(true), "mfaToken": .string(token)] as [String: JSONValue])
            }
        }
        router.add(.post, "/api/v1/auth/mfa", access: Access.anonymous, bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(MFAAnswer.self, from: request, allowed: ["mfaToken", "code"])
            try Self.checkLengths(body.mfaToken, body.code)
            let tokens = try await identity.completeMFA(challenge: body.mfaToken, code: body.code) { userID in
                try await limits.consume(.mfaAccount, identity: userID)
            }
            return try Self.tokens(tokens)
        }
        router.add(.post, "/api/v1/auth/refresh", access: Access.anonymous, bodyLimit: 8192) { request in
            let token: String
            if request.body.declaredLength ?? 0 > 0 || request.headers["Content-Type"] != nil {
                let body = try await StrictJSON.decode(
                    RefreshRequest.self, from: request, allowed: ["refreshToken"], required: ["refreshToken"])
                token = body.refreshToken ?? ""
            } else {
                guard let cookie = Authenticator.cookie(Authenticator.refreshCookie, in: request) else {
                    throw IdentityError(.invalidToken)
                }
                try authenticator.checkOrigin(request)
                token = cookie
            }
            try Self.checkLengths(token)
            return try Self.tokens(try await identity.refresh(token))
        }
        router.add(.post, "/api/v1/auth/logout", access: Access.signedIn(enrollment: true)) { request in
            try await identity.logout(try request.principal())
            return Self.signedOut()
        }
        router.add(.post, "/api/v1/auth/logout-all", access: Access.signedIn(enrollment: true)) { request in
            try await identity.logoutEverywhere(try request.principal())
            return Self.signedOut()
        }
        router.add(.post, "/api/v1/auth/password-reset", access: Access.anonymous, bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(ResetRequest.self, from: request, allowed: ["email"])
            try Self.checkLengths(body.email)
            try await limits.consume(.emailAccount, identity: Self.account(body.email))
            try await identity.requestPasswordReset(email: body.email, mail: mailer)
            return Response(status: 202)
        }
        router.add(.post, "/api/v1/auth/password-reset/confirm", access: Access.anonymous, bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(
                ResetConfirmation.self, from: request, allowed: ["token", "newPassword"])
            try Self.checkLengths(body.token, body.newPassword)
            try await identity.resetPassword(token: body.token, newPassword: body.newPassword)
            return Response(status: 204)
        }
        router.add(.post, "/api/v1/invitations/accept", access: Access.anonymous, bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(
                Acceptance.self, from: request, allowed: ["token", "password", "displayName"], required: ["token"])
            try Self.checkLengths(body.token, body.password ?? "", body.displayName ?? "")
            guard
                let tokens = try await identity.acceptInvitation(
                    token: body.token, password: body.password, displayName: body.displayName)
            else { return Response(status: 204) }
            return try Self.tokens(tokens)
        }
        registerAccountRoutes(in: &router)
    }

    private func registerAccountRoutes(in router: inout Router) {
        router.add(.get, "/api/v1/me", access: Access.signedIn(enrollment: true)) { request in
            try .json(try await identity.profile(try request.principal()))
        }
        router.add(.get, "/api/v1/me/sessions", access: Access.signedIn(enrollment: false)) { request in
            let principal = try request.principal()
            let sessions = try await identity.sessions(of: principal).map { session in
                SessionView(
                    id: session.id, createdAt: session.createdAt, lastUsedAt: session.lastUsedAt,
                    expiresAt: session.expiresAt, current: session.id == principal.sessionID)
            }
            return try .json(["sessions": sessions])
        }
        router.add(.delete, "/api/v1/me/sessions/{id}", access: Access.signedIn(enrollment: false)) { request in
            try await identity.revokeSession(
                try request.parameter("id"), of: try request.principal())
            return Response(status: 204)
        }
        router.add(.post, "/api/v1/me/password", access: Access.signedIn(enrollment: true), bodyLimit: 8192) {
            request in
            let principal = try request.principal()
            let body = try await StrictJSON.decode(
                PasswordChange.self, from: request, allowed: ["currentPassword", "newPassword"])
            try Self.checkLengths(body.currentPassword, body.newPassword)
            return try Self.tokens(
                try await identity.changePassword(principal, current: body.currentPassword, new: body.newPassword))
        }
        router.add(.post, "/api/v1/me/mfa/totp", access: Access.signedIn(enrollment: true)) { request in
            try .json(
                try await identity.startEnrollment(try request.principal()),
                status: 201)
        }
        router.add(.post, "/api/v1/me/mfa/totp/confirm", access: Access.signedIn(enrollment: true), bodyLimit: 8192) {
            request in
            let principal = try request.principal()
            let body = try await StrictJSON.decode(Code.self, from: request, allowed: ["code"])
            try Self.checkLengths(body.code)
            return try .json(["recoveryCodes": try await identity.confirmEnrollment(principal, code: body.code)])
        }
        router.add(.delete, "/api/v1/me/mfa", access: Access.signedIn(enrollment: false), bodyLimit: 8192) { request in
            let principal = try request.principal()
            let body = try await StrictJSON.decode(PasswordOnly.self, from: request, allowed: ["password"])
            try Self.checkLengths(body.password)
            try await identity.disableMFA(principal, password: body.password)
            return Self.signedOut()
        }
    }

    struct SessionView: Encodable {
        let id: String
        let createdAt: Date
        let lastUsedAt: Date
        let expiresAt: Date
        let current: Bool
    }

    /// Every text field is bounded before any work is done with it.
    static func checkLengths(_ values: String...) throws {
        guard values.allSatisfy({ $0.utf8.count <= 1024 }) else { throw IdentityError(.invalidRequest) }
    }

    /// A token pair in the body and, for browsers, in `__Host-` cookies.
    static func tokens(_ tokens: IdentityService.TokenPair) throws -> Response {
        var response = try Response.json(tokens)
        for cookie in Authenticator.cookies(for: tokens) { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    static func signedOut() -> Response {
        var response = Response(status: 204)
        for cookie in Authenticator.cookies(for: nil) { response.headers.add("Set-Cookie", cookie) }
        return response
    }
}

/// A small JSON value for ad-hoc response bodies.
enum JSONValue: Encodable {
    case bool(Bool)
    case string(String)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}

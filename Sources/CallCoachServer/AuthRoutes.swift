import CallCoachHTTP
import CallCoachStore
import Foundation

/// The sign-in, session, password, MFA and invitation endpoints under `/api/v1`.
struct AuthRoutes: Sendable {
    let identity: IdentityService
    let authenticator: Authenticator
    let mailer: Mailer

    struct Credentials: Decodable { let email: String, password: String }
    struct MFAAnswer: Decodable { let mfaToken: String, code: String }
    struct RefreshRequest: Decodable { let refreshToken: String? }
    struct PasswordChange: Decodable { let currentPassword: String, newPassword: String }
    struct ResetRequest: Decodable { let email: String }
    struct ResetConfirmation: Decodable { let token: String, newPassword: String }
    struct Code: Decodable { let code: String }
    struct PasswordOnly: Decodable { let password: String }
    struct Invitation: Decodable { let email: String, role: String }
    struct Acceptance: Decodable { let token: String, password: String?, displayName: String? }
    struct MFAPolicy: Decodable { let required: Bool }
    struct RoleChange: Decodable { let role: String }

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/auth/login", bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(Credentials.self, from: request, allowed: ["email", "password"])
            try Self.checkLengths(body.email, body.password)
            switch try await identity.login(
                email: body.email, password: body.password, remoteAddress: request.remoteAddress)
            {
            case .signedIn(let tokens): return try Self.tokens(tokens)
            case .mfaRequired(let token):
                return try .json(["mfaRequired": .bool(true), "mfaToken": .string(token)] as [String: JSONValue])
            }
        }
        router.add(.post, "/api/v1/auth/mfa", bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(MFAAnswer.self, from: request, allowed: ["mfaToken", "code"])
            try Self.checkLengths(body.mfaToken, body.code)
            return try Self.tokens(try await identity.completeMFA(challenge: body.mfaToken, code: body.code))
        }
        router.add(.post, "/api/v1/auth/refresh", bodyLimit: 8192) { request in
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
        router.add(.post, "/api/v1/auth/logout") { request in
            try await identity.logout(try await authenticator.principal(request, enrollment: true))
            return Self.signedOut()
        }
        router.add(.post, "/api/v1/auth/logout-all") { request in
            try await identity.logoutEverywhere(try await authenticator.principal(request, enrollment: true))
            return Self.signedOut()
        }
        router.add(.post, "/api/v1/auth/password-reset", bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(ResetRequest.self, from: request, allowed: ["email"])
            try Self.checkLengths(body.email)
            try await identity.requestPasswordReset(email: body.email, mail: mailer)
            return Response(status: 202)
        }
        router.add(.post, "/api/v1/auth/password-reset/confirm", bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(
                ResetConfirmation.self, from: request, allowed: ["token", "newPassword"])
            try Self.checkLengths(body.token, body.newPassword)
            try await identity.resetPassword(token: body.token, newPassword: body.newPassword)
            return Response(status: 204)
        }
        router.add(.post, "/api/v1/invitations/accept", bodyLimit: 8192) { request in
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
        router.add(.get, "/api/v1/me") { request in
            try .json(try await identity.profile(try await authenticator.principal(request, enrollment: true)))
        }
        router.add(.get, "/api/v1/me/sessions") { request in
            let principal = try await authenticator.principal(request)
            let sessions = try await identity.sessions(of: principal).map { session in
                SessionView(
                    id: session.id, createdAt: session.createdAt, lastUsedAt: session.lastUsedAt,
                    expiresAt: session.expiresAt, current: session.id == principal.sessionID)
            }
            return try .json(["sessions": sessions])
        }
        router.add(.delete, "/api/v1/me/sessions/{id}") { request in
            try await identity.revokeSession(
                try request.parameter("id"), of: try await authenticator.principal(request))
            return Response(status: 204)
        }
        router.add(.post, "/api/v1/me/password", bodyLimit: 8192) { request in
            let principal = try await authenticator.principal(request, enrollment: true)
            let body = try await StrictJSON.decode(
                PasswordChange.self, from: request, allowed: ["currentPassword", "newPassword"])
            try Self.checkLengths(body.currentPassword, body.newPassword)
            return try Self.tokens(
                try await identity.changePassword(principal, current: body.currentPassword, new: body.newPassword))
        }
        router.add(.post, "/api/v1/me/mfa/totp") { request in
            try .json(
                try await identity.startEnrollment(try await authenticator.principal(request, enrollment: true)),
                status: 201)
        }
        router.add(.post, "/api/v1/me/mfa/totp/confirm", bodyLimit: 8192) { request in
            let principal = try await authenticator.principal(request, enrollment: true)
            let body = try await StrictJSON.decode(Code.self, from: request, allowed: ["code"])
            try Self.checkLengths(body.code)
            return try .json(["recoveryCodes": try await identity.confirmEnrollment(principal, code: body.code)])
        }
        router.add(.delete, "/api/v1/me/mfa", bodyLimit: 8192) { request in
            let principal = try await authenticator.principal(request)
            let body = try await StrictJSON.decode(PasswordOnly.self, from: request, allowed: ["password"])
            try Self.checkLengths(body.password)
            try await identity.disableMFA(principal, password: body.password)
            return Self.signedOut()
        }
        router.add(.post, "/api/v1/companies/{companyId}/invitations", bodyLimit: 8192) { request in
            let principal = try await authenticator.principal(request)
            let body = try await StrictJSON.decode(Invitation.self, from: request, allowed: ["email", "role"])
            try Self.checkLengths(body.email, body.role)
            try await identity.invite(
                principal, companyID: try request.parameter("companyId"), email: body.email, role: body.role,
                mail: mailer)
            return Response(status: 202)
        }
        router.add(.patch, "/api/v1/companies/{companyId}/members/{userId}", bodyLimit: 8192) { request in
            let principal = try await authenticator.principal(request)
            let body = try await StrictJSON.decode(RoleChange.self, from: request, allowed: ["role"])
            try Self.checkLengths(body.role)
            try await identity.changeRole(
                principal, companyID: try request.parameter("companyId"), userID: try request.parameter("userId"),
                role: body.role)
            return Response(status: 204)
        }
        router.add(.delete, "/api/v1/companies/{companyId}/members/{userId}") { request in
            try await identity.removeMember(
                try await authenticator.principal(request), companyID: try request.parameter("companyId"),
                userID: try request.parameter("userId"))
            return Response(status: 204)
        }
        router.add(.put, "/api/v1/companies/{companyId}/mfa-policy", bodyLimit: 8192) { request in
            let principal = try await authenticator.principal(request)
            let body = try await StrictJSON.decode(MFAPolicy.self, from: request, allowed: ["required"])
            try await identity.setRequiresMFA(
                principal, companyID: try request.parameter("companyId"), required: body.required)
            return try .json(["required": body.required])
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

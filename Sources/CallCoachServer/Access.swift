import CallCoachCore
import CallCoachHTTP
import CallCoachStore

/// What each route demands. Every route names one; the server refuses to start otherwise.
enum Access: RouteAccess, Equatable {
    /// No credentials: sign-in, health checks, links from e-mails.
    case anonymous
    /// The metrics bearer token from the configuration (or the loopback admin listener).
    case metricsToken
    /// Any signed-in person acting on their own account. `enrollment` also admits sessions that
    /// a company holds to MFA enrolment.
    case signedIn(enrollment: Bool)
    /// A member of the company in the path whose role holds the capability at some reach; the
    /// service narrows it to the resource's relation.
    case company(Capability)
    /// A platform operator (the Super-Admin) with the platform capability.
    case platform(Capability)
    /// A browser page. Signed-out visitors are sent to sign-in; what the page shows it reads
    /// from the API as the same caller, so it is allowed exactly what the API allows them.
    case page

    var description: String {
        switch self {
        case .anonymous: "anonymous"
        case .metricsToken: "metrics token"
        case .signedIn(let enrollment): enrollment ? "signed in (also during MFA enrolment)" : "signed in"
        case .company(let capability): "company member with \(capability.rawValue)"
        case .platform(let capability): "platform operator with \(capability.rawValue)"
        case .page: "page (shows what the API allows the caller)"
        }
    }
}

/// Request attributes set by access control.
enum PrincipalKey: RequestAttributeKey {
    typealias Value = IdentityService.Principal
}

enum ScopeKey: RequestAttributeKey {
    typealias Value = TenantScope
}

extension Request {
    /// The verified caller; present on every route that is not anonymous.
    func principal() throws -> IdentityService.Principal {
        guard let principal = attributes[PrincipalKey.self] else { throw IdentityError(.invalidToken) }
        return principal
    }

    /// The caller's tenant scope; present on every company route.
    func scope() throws -> TenantScope {
        guard let scope = attributes[ScopeKey.self] else { throw IdentityError(.notFound) }
        return scope
    }
}

/// Enforces each route's declared access before its handler runs: authentication, membership of
/// the company in the path (re-read from the store on every request), and the policy.
struct AccessControl: Middleware {
    let authenticator: Authenticator
    let identity: IdentityService

    func handle(_ request: Request, next: Handler) async throws -> Response {
        guard let access = request.access as? Access else { throw HTTPError.notFound }
        var request = request
        switch access {
        case .anonymous, .metricsToken:
            break
        case .page:
            // The page decides what a missing or held session means: sign-in, or enrolment.
            request.attributes[PrincipalKey.self] = try? await authenticator.principal(request, enrollment: true)
        case .signedIn(let enrollment):
            request.attributes[PrincipalKey.self] = try await authenticator.principal(request, enrollment: enrollment)
        case .company(let capability):
            let principal = try await authenticator.principal(request)
            request.attributes[PrincipalKey.self] = principal
            let companyID = try request.parameter("companyId")
            // Neither a member nor a granted operator: the company's existence is not revealed.
            guard let scope = try await identity.scope(for: principal, in: companyID) else {
                identity.deny("authz.denied.not_member", principal: principal, companyID: nil)
                throw IdentityError(.notFound)
            }
            guard Policy.reach(of: scope.membership, for: capability) != nil else {
                identity.deny("authz.denied.capability", principal: principal, companyID: companyID)
                throw IdentityError(.forbidden)
            }
            if scope.membership.viaSupportGrant {
                try await identity.auditSupportAccess(
                    scope, route: "\(request.method) \(request.route ?? "")", clientAddress: request.remoteAddress)
            }
            request.attributes[ScopeKey.self] = scope
        case .platform(let capability):
            let principal = try await authenticator.principal(request)
            request.attributes[PrincipalKey.self] = principal
            guard Policy.grants(of: .superAdmin)[capability] != nil, try await identity.isPlatformOperator(principal)
            else {
                identity.deny("authz.denied.platform", principal: principal, companyID: nil)
                throw IdentityError(.forbidden)
            }
        }
        return try await next(request)
    }
}

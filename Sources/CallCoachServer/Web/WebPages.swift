import CallCoachCore
import CallCoachHTTP
import CallCoachStore
import Foundation

/// The web application: server-rendered pages for every role, reading the same API and services
/// the scripts use. Actions post to the JSON API from the one script, so every change passes the
/// same access control; the pages show an action only when the policy allows it.
struct WebPages: Sendable {
    let identity: IdentityService
    let calls: CallService
    let database: any Database
    let api: APIReader

    /// A rendered page: its title, its content and its status.
    struct Page {
        var title: String
        var body: HTML
        var status = 200
        /// The navigation entry to mark as current.
        var section: String?
    }

    /// A page whose read the API refused: shown with the API's status and no data.
    struct Refusal: Error {
        let status: Int
    }

    /// What a page knows about its caller.
    struct Context {
        let request: Request
        let principal: IdentityService.Principal
        let me: JSONNode
        let isOperator: Bool
        /// The caller's place in the company in the path, on company pages.
        let scope: TenantScope?

        var companyID: String { scope?.companyID ?? "" }
        var base: String { "/companies/\(PercentEncoding.encode(companyID))" }
        var apiBase: String { "/api/v1/companies/\(PercentEncoding.encode(companyID))" }

        /// Whether the policy lets the caller use `capability` on a resource at `relation`.
        func can(_ capability: Capability, on relation: Relation = .sameCompany) -> Bool {
            scope?.allows(capability, on: relation) ?? false
        }

        /// Whether the caller holds `capability` at any reach.
        func holds(_ capability: Capability) -> Bool {
            Policy.reach(of: scope?.membership, for: capability) != nil
        }

        var role: Role? { scope?.membership.role }

        /// When the session's access token ends, so the script renews it before, not after.
        var sessionExpires: Int? { Authenticator.expiry(of: request) }
    }

    func register(in router: inout Router) {
        WebAssets.register(in: &router)
        registerAccountPages(in: &router)
        registerCallPages(in: &router)
        registerAdminPages(in: &router)
        registerPlatformPages(in: &router)
        router.add(.get, "/", access: Access.page) { request in
            try await renewing(request) { request, principal in
                if principal.enrollmentOnly { return Self.redirect("/account/mfa") }
                let me = await api.get("/api/v1/me", for: request)
                if let company = me.json["memberships"].array.first?["companyId"].string {
                    return Self.redirect("/companies/\(PercentEncoding.encode(company))")
                }
                if try await identity.isPlatformOperator(principal) { return Self.redirect("/platform") }
                return Self.redirect("/account")
            }
        }
    }

    // MARK: - Pages

    /// Adds a signed-in page. On `{companyId}` patterns the caller must belong to the company
    /// (or read it under a support grant); anyone else gets a 404 that reveals nothing.
    func page(
        _ pattern: String, in router: inout Router, enrollment: Bool = false,
        _ render: @escaping @Sendable (Context) async throws -> Page
    ) {
        router.add(.get, pattern, access: Access.page) { request in
            try await renewing(request) { request, principal in
                if principal.enrollmentOnly && !enrollment { return Self.redirect("/account/mfa") }
                let context = try await context(request, principal)
                var result: Page
                if request.parameters["companyId"] != nil && context.scope == nil {
                    result = Self.refusal(404)
                } else {
                    do {
                        result = try await render(context)
                    } catch let refusal as Refusal {
                        result = Self.refusal(refusal.status)
                    } catch let error as any ProblemConvertible where error.httpError.status < 500 {
                        // A service refused (a call outside the caller's reach, a missing right): a page, not JSON.
                        result = Self.refusal(error.httpError.status)
                    }
                }
                return Self.document(result, context: context)
            }
        }
    }

    /// Runs `respond` for the caller, renewing an expired access cookie from a live refresh
    /// cookie first (the page's own API reads then carry the new token). The renewed cookies go on whatever the page answers
    /// (a redirect, a refusal, an error), since the old refresh token is spent: presenting it
    /// again would count as reuse and end the session. A visitor with no session is sent to sign-in.
    func renewing(
        _ request: Request,
        _ respond: (Request, IdentityService.Principal) async throws -> Response
    ) async throws -> Response {
        var request = request
        var renewed: IdentityService.TokenPair?
        if request.attributes[PrincipalKey.self] == nil, let refresh = Self.cookie(refreshIn: request) {
            renewed = try? await identity.refresh(refresh)
            if let renewed {
                request.attributes[PrincipalKey.self] = try? await identity.authenticate(
                    accessToken: renewed.accessToken)
                request.headers.set("Authorization", "Bearer " + renewed.accessToken)
            }
        }
        let cookies = renewed.map { Authenticator.cookies(for: $0) } ?? []
        guard let principal = request.attributes[PrincipalKey.self] else {
            var response = Self.redirect(
                request.rawPath == "/" ? "/sign-in" : "/sign-in?next=" + PercentEncoding.encode(request.target))
            for cookie in cookies { response.headers.add("Set-Cookie", cookie) }
            return response
        }
        // Without a renewal, failures go to the application, which answers and logs them.
        guard !cookies.isEmpty else { return try await respond(request, principal) }
        var response: Response
        do {
            response = try await respond(request, principal)
        } catch let error as any ProblemConvertible {
            response = Problem(error.httpError, requestID: request.id).response(headers: error.httpError.headers)
        } catch {
            identity.logger.error(
                "http.handler.failed", "a handler threw an unexpected error",
                [
                    .requestID: .string(request.id), .route: .string(request.route ?? ""),
                    .errorType: .string(String(describing: type(of: error))),
                ])
            response = Problem(.internalError, requestID: request.id).response()
        }
        for cookie in cookies { response.headers.add("Set-Cookie", cookie) }
        return response
    }

    /// What a page knows of its caller: their profile, whether they operate the platform, and
    /// their place in the company in the path.
    func context(_ request: Request, _ principal: IdentityService.Principal) async throws -> Context {
        let me = await api.get("/api/v1/me", for: request).json
        let isOperator = (try? await identity.isPlatformOperator(principal)) ?? false
        var scope: TenantScope?
        if let companyID = request.parameters["companyId"] {
            scope = try await identity.scope(for: principal, in: companyID)
            if scope == nil { identity.deny("authz.denied.not_member", principal: principal, companyID: nil) }
        }
        return Context(request: request, principal: principal, me: me, isOperator: isOperator, scope: scope)
    }

    /// Adds a page for visitors who are not signed in (sign-in, reset, invitations).
    func publicPage(_ pattern: String, in router: inout Router, _ render: @escaping @Sendable () -> Page) {
        router.add(.get, pattern, access: Access.anonymous) { request in
            Self.document(render(), context: nil, nonce: request.cspNonce)
        }
    }

    /// Reads an API route as the page's caller; a refusal becomes the page's own status.
    func read(_ path: String, _ context: Context) async throws -> JSONNode {
        let answer = await api.get(path, for: context.request)
        guard answer.ok else { throw Refusal(status: answer.status) }
        return answer.json
    }

    /// Reads an API route that the caller may or may not be allowed: `nil` when refused.
    func readIfAllowed(_ path: String, _ context: Context) async -> JSONNode? {
        try? await read(path, context)
    }

    static func cookie(refreshIn request: Request) -> String? {
        Authenticator.cookie(Authenticator.refreshCookie, in: request)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: 303, headers: ["Location": location, "Content-Type": "text/plain; charset=utf-8"])
    }

    static func refusal(_ status: Int) -> Page {
        let (title, text): (String, String) =
            switch status {
            case 403: ("Not allowed", "Your role does not allow this page. Ask an administrator if you need it.")
            case 401: ("Signed out", "Your session has ended. Sign in again.")
            case 404: ("Not found", "There is nothing here, or it is not yours to see.")
            default: ("Something went wrong", "The page could not be read just now. Try again in a moment.")
            }
        return Page(
            title: title,
            body: """
                <h1>\(title)</h1><section class="card"><p>\(text)</p><p><a href="/">Back to the start</a></p></section>
                """, status: status)
    }

    // MARK: - The document around every page

    static func document(_ page: Page, context: Context?, nonce: String? = nil) -> Response {
        let nonce = nonce ?? context?.request.cspNonce ?? ""
        let header = context.map(navigation) ?? HTML.empty
        let html: HTML = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(page.title) · CallCoach</title>
            <link rel="icon" href="\(WebAssets.icon.path)" type="image/svg+xml">
            <link rel="stylesheet" href="\(WebAssets.stylesheet.path)" nonce="\(nonce)">
            <script src="\(WebAssets.script.path)" defer nonce="\(nonce)"></script>
            </head><body\(context?.sessionExpires.map { " data-session-expires=\"\($0)\"" as HTML } ?? .empty)>
            <a class="skip" href="#main">Skip to the content</a>
            \(header)
            <main id="main">\(page.body)</main>
            </body></html>
            """
        return Response(
            status: page.status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.markup.utf8))
    }

    /// The bar at the top: the company's sections the caller's role opens, their companies, sign-out.
    static func navigation(_ context: Context) -> HTML {
        var links: [(String, String)] = []
        let companyID = context.companyID.isEmpty ? context.me["memberships"].array.first?["companyId"].string : nil
        let base = companyID.map { "/companies/\(PercentEncoding.encode($0))" } ?? context.base
        let current =
            context.scope
            ?? companyID.map { id in
                // Another page (account, platform): the sections of the caller's first company.
                TenantScope(
                    membership: Membership(companyID: id, userID: context.principal.userID, role: role(context, id)))
            }
        if let current {
            let can = { (capability: Capability) in Policy.reach(of: current.membership, for: capability) != nil }
            links.append(("Dashboard", base))
            if can(.readCalls) { links.append(("Calls", base + "/calls")) }
            if can(.editScorecards) { links.append(("Scorecards", base + "/scorecards")) }
            if can(.configureCompliance) { links.append(("Compliance", base + "/compliance")) }
            if can(.readMembers) { links.append(("People", base + "/people")) }
            if can(.readAuditLog) { links.append(("Audit log", base + "/audit-log")) }
            if settingsCapabilities.contains(where: can) { links.append(("Settings", base + "/settings")) }
        }
        if context.isOperator { links.append(("Platform", "/platform")) }
        let path = context.request.rawPath
        let items = links.map { title, href -> HTML in
            let isCurrent = path == href || (href != base && path.hasPrefix(href + "/"))
            return isCurrent
                ? "<a href=\"\(href)\" aria-current=\"page\">\(title)</a>" : "<a href=\"\(href)\">\(title)</a>"
        }
        let companies = context.me["memberships"].array.compactMap { membership -> HTML? in
            guard let id = membership["companyId"].string, id != (context.scope?.companyID ?? companyID) else {
                return nil
            }
            return "<a href=\"/companies/\(PercentEncoding.encode(id))\">\(membership["companyName"].text)</a>"
        }
        let name = context.me["displayName"].string ?? context.me["email"].text
        let companyName =
            context.me["memberships"].array.first {
                $0["companyId"].string == (context.scope?.companyID ?? companyID)
            }?[
                "companyName"
            ].string ?? (context.scope?.membership.viaSupportGrant == true ? "Support access" : "")
        return """
            <header class="top"><a class="brand" href="/">CallCoach</a><span>\(companyName)</span>
            <nav aria-label="Sections">\(items)</nav>
            <div class="who">\(companies)<a href="/account">\(name)</a>
            <form data-api="/api/v1/auth/logout" data-nobody data-then="go" data-go="/sign-in">
            <button type="submit" class="secondary">Sign out</button><p class="status" role="status"></p></form></div></header>
            """
    }

    static func role(_ context: Context, _ companyID: String) -> Role {
        let name = context.me["memberships"].array.first { $0["companyId"].string == companyID }?["role"].string
        return name.flatMap(Role.init(rawValue:)) ?? .agent
    }

    // MARK: - Small pieces many pages use

    /// A form that posts JSON to the API; `then` says what follows success.
    static func form(
        _ api: String, method: String = "POST", then: String = "reload", go: String? = nil, classes: String = "stack",
        label: String? = nil, extra: HTML = .empty, @HTMLBuilder _ fields: () -> [HTML]
    ) -> HTML {
        let goAttribute: HTML = go.map { " data-go=\"\($0)\"" } ?? .empty
        let ariaLabel: HTML = label.map { " aria-label=\"\($0)\"" } ?? .empty
        return """
            <form class="\(classes)" data-api="\(api)" data-method="\(method)" data-then="\(then)"\(goAttribute)\(ariaLabel)\(extra)>\
            \(fields())<p class="status" role="status" aria-live="polite"></p></form>
            """
    }

    static func field(
        _ label: String, name: String, type: String = "text", value: String = "", required: Bool = false,
        extra: HTML = .empty
    ) -> HTML {
        let requiredAttribute: HTML = required ? " required" : .empty
        return """
            <label><span>\(label)</span><input type="\(type)" name="\(name)" value="\(value)"\(requiredAttribute)\(extra)></label>
            """
    }

    static func select(_ label: String, name: String, options: [(String, String)], selected: String? = nil) -> HTML {
        let items = options.map { value, title -> HTML in
            value == selected
                ? "<option value=\"\(value)\" selected>\(title)</option>"
                : "<option value=\"\(value)\">\(title)</option>"
        }
        return "<label><span>\(label)</span><select name=\"\(name)\">\(items)</select></label>"
    }

    static func button(_ title: String, kind: String = "") -> HTML {
        kind.isEmpty
            ? "<button type=\"submit\">\(title)</button>"
            : "<button type=\"submit\" class=\"\(kind)\">\(title)</button>"
    }

    /// An instant as the API writes it (ISO 8601, UTC), parsed; `nil` for anything else.
    static func instant(_ text: String?) -> Date? {
        text.flatMap { try? Date($0, strategy: .iso8601) }
    }

    /// `2026-12-04 09:00 UTC`, from an instant the API wrote.
    static func date(_ text: String?) -> String {
        instant(text).map(date) ?? text ?? ""
    }

    static func date(_ date: Date) -> String {
        // The ISO form is in UTC already: its date and its hours and minutes are what is shown.
        let iso = date.formatted(.iso8601)
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(5) + " UTC"
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "" }
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}

/// Builds a list of fragments from statements, for forms' fields.
@resultBuilder enum HTMLBuilder {
    static func buildBlock(_ parts: [HTML]...) -> [HTML] { parts.flatMap { $0 } }
    static func buildExpression(_ part: HTML) -> [HTML] { [part] }
    static func buildExpression(_ parts: [HTML]) -> [HTML] { parts }
    static func buildOptional(_ parts: [HTML]?) -> [HTML] { parts ?? [] }
    static func buildEither(first parts: [HTML]) -> [HTML] { parts }
    static func buildEither(second parts: [HTML]) -> [HTML] { parts }
    static func buildArray(_ parts: [[HTML]]) -> [HTML] { parts.flatMap { $0 } }
}

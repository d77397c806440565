import CallCoachCore
import CallCoachHTTP
@testable import CallCoachServer
@testable import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

/// The pages answer as the policy decides, show an action only when it allows it, escape what
/// they show, and carry the strict policy. The browser suite (Tests/browser) drives them for real.
@Suite struct WebPageTests {
    /// The capability each company page reads first; a role without it is refused the page.
    static let pageCapabilities: [String: [Capability]] = [
        "": [.readCalls], "/calls": [.readCalls], "/scorecards": [.editScorecards],
        "/compliance": [.configureCompliance], "/people": [.readMembers], "/audit-log": [.readAuditLog],
        "/settings": WebPages.settingsCapabilities,
    ]

    static let members = ["agentA", "managerA", "adminA", "operatorA"]

    func scope(_ fixture: TenancyFixture, _ actor: String) async throws -> TenantScope? {
        let principal = IdentityService.Principal(userID: fixture.users[actor]!, sessionID: "", enrollmentOnly: false)
        return try await fixture.server.runtime.identity.scope(for: principal, in: fixture.companyA)
    }

    @Test func eachCompanyPageAnswersEachRoleAsThePolicyDecides() async throws {
        let fixture = try await TenancyFixture.quiet()
        var cells = 0
        for (suffix, capabilities) in Self.pageCapabilities {
            let path = "/companies/\(fixture.companyA)\(suffix)"
            for actor in Self.members + ["platform"] {
                let membership = try await scope(fixture, actor)?.membership
                let allowed = capabilities.contains { Policy.reach(of: membership, for: $0) != nil }
                let response = await fixture.send(.get, path, as: actor)
                // No membership and no grant: the company is not revealed.
                let expected = membership == nil ? 404 : allowed ? 200 : 403
                #expect(response.status == expected, "\(actor) \(path)")
                #expect(response.headers["Content-Type"] == "text/html; charset=utf-8", "\(actor) \(path)")
                cells += 1
            }
            let stranger = await fixture.send(.get, path, as: "adminB")
            #expect(stranger.status == 404, "another company's page reveals nothing: \(path)")
            #expect(!stranger.bodyText.contains(fixture.companyA))
            let anonymous = await fixture.send(.get, path, as: nil)
            #expect(anonymous.status == 303)
            #expect(anonymous.headers["Location"]?.hasPrefix("/sign-in?next=") == true)
            cells += 2
        }
        #expect(cells == Self.pageCapabilities.count * (Self.members.count + 3))
    }

    @Test func theCallPageOffersEachActionOnlyWhereThePolicyAllowsIt() async throws {
        let fixture = try await TenancyFixture.quiet()
        let activate = await fixture.send(
            .patch, "/api/v1/companies/\(fixture.companyA)/scorecards/\(fixture.scorecardA)", as: "adminA",
            json: #"{"active":true}"#)
        #expect(activate.status == 200)
        let forAgentA = UploadPart.metadata(#"{"agentId":"\#(fixture.users["agentA"]!)"}"#)
        let uploaded = await fixture.upload([forAgentA, .transcript(sampleTranscript)], as: "managerA")
        let callID = try #require(try object(uploaded)["id"] as? String)
        try await fixture.server.drainQueue()
        let stored = try #require(
            try await fixture.server.runtime.database.read(.platform) { connection in
                try CallRecords(scope: .system(companyID: fixture.companyA)).call(id: callID, connection)
            })
        let path = "/companies/\(fixture.companyA)/calls/\(callID)"
        let actions: [(marker: String, capability: Capability)] = [
            ("data-action=\"override\"", .overrideScores), ("data-action=\"acknowledge\"", .acknowledgeEvaluations),
            ("data-action=\"dispute\"", .disputeEvaluations), ("data-action=\"coach\"", .assignCoaching),
            ("aria-label=\"Add a comment\"", .comment),
        ]
        // Another company's admin, with their own company or this one in the path: nothing.
        for company in [fixture.companyA, fixture.companyB] {
            let stranger = await fixture.send(.get, "/companies/\(company)/calls/\(callID)", as: "adminB")
            #expect(stranger.status == 404, "\(company)")
            #expect(!stranger.bodyText.contains("id=\"player\""))
        }
        for actor in Self.members + ["agentA2"] {
            let scope = try #require(try await scope(fixture, actor))
            let relation = CallService.relation(of: scope, to: stored)
            let response = await fixture.send(.get, path, as: actor)
            guard scope.allows(.readCalls, on: relation) else {
                // A role without the right at all is told so; a call beyond its reach does not exist.
                let expected = Policy.reach(of: scope.membership, for: .readCalls) == nil ? 403 : 404
                #expect(response.status == expected, "\(actor) cannot open a call outside their reach")
                #expect(!response.bodyText.contains("id=\"player\""))
                continue
            }
            #expect(response.status == 200, "\(actor)")
            // Uploaded as a transcript: no player (its audio would answer 404), but the timeline seeks nothing.
            #expect(!response.bodyText.contains("id=\"player\""))
            #expect(response.bodyText.contains("there is no recording"))
            #expect(response.bodyText.contains("class=\"evidence\""), "the evaluation links its evidence")
            for action in actions {
                #expect(
                    response.bodyText.contains(action.marker) == scope.allows(action.capability, on: relation),
                    "\(actor) \(action.marker)")
            }
        }
    }

    @Test func managersAreOfferedTheMembershipOfTheirOwnTeamsOnly() async throws {
        let fixture = try await TenancyFixture.quiet()
        let path = "/companies/\(fixture.companyA)/people"
        let listed = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/teams", as: "adminA")
        let teams = try #require(try object(listed)["teams"] as? [Any])
        #expect(teams.count == 2)
        func addForms(_ actor: String) async -> Int {
            await fixture.send(.get, path, as: actor).bodyText.components(separatedBy: "data-member-path").count - 1
        }
        #expect(await addForms("adminA") == 2, "an admin runs every team")
        #expect(await addForms("managerA") == 1, "a manager runs their own team only")
        #expect(await addForms("agentA") == 0)
    }

    /// Signs `actor` in through the API and returns the refresh cookie, as a browser holds it.
    func refreshCookie(_ fixture: TenancyFixture, _ actor: String) async throws -> String {
        let login = await fixture.server.client().send(
            .post, "/api/v1/auth/login",
            json: #"{"email":"\#(actor.lowercased())@example.com","password":"pw-pw-pw-pw-pw"}"#)
        #expect(login.status == 200)
        return "\(Authenticator.refreshCookie)=" + (try #require(try object(login)["refreshToken"] as? String))
    }

    static func renewedCookies(_ response: Response) -> [String] {
        response.headers.values("Set-Cookie").filter { !$0.contains("Max-Age=0") }
    }

    @Test func anExpiredAccessCookieIsRenewedOnEveryKindOfAnswer() async throws {
        let fixture = try await TenancyFixture.quiet()
        // Only the refresh cookie: the access cookie has expired and the browser dropped it.
        let page = await fixture.server.client().send(
            .get, "/companies/\(fixture.companyA)/calls",
            headers: ["Cookie": try await refreshCookie(fixture, "agentA")])
        #expect(page.status == 200)
        #expect(Self.renewedCookies(page).count == 2, "the page carries the new pair")
        let root = await fixture.server.client().send(
            .get, "/", headers: ["Cookie": try await refreshCookie(fixture, "agentA")])
        #expect(root.status == 303)
        #expect(root.headers["Location"] == "/companies/\(fixture.companyA)")
        #expect(Self.renewedCookies(root).count == 2, "a redirect carries the new pair too")
        // A refusal carries them as well, and the new refresh token goes on working.
        let refused = await fixture.server.client().send(
            .get, "/companies/\(fixture.companyA)/audit-log",
            headers: ["Cookie": try await refreshCookie(fixture, "agentA")])
        #expect(refused.status == 403)
        let renewed = try #require(
            Self.renewedCookies(refused).first { $0.hasPrefix(Authenticator.refreshCookie) }?.split(separator: ";")
                .first)
        let again = await fixture.server.client().send(
            .get, "/companies/\(fixture.companyA)", headers: ["Cookie": String(renewed)])
        #expect(again.status == 200, "the renewed refresh cookie is live")
    }

    @Test func instantsReadAsPeopleWriteThem() {
        #expect(WebPages.date("2026-12-04T09:00:34Z") == "2026-12-04 09:00 UTC")
        #expect(WebPages.date("not a date") == "not a date")
        #expect(WebPages.date(nil as String?) == "")
        #expect(WebPages.date(Date(timeIntervalSince1970: 86_399)) == "1970-01-01 23:59 UTC")
    }

    @Test func badFiltersAreNamedAndLeftOut() async throws {
        let fixture = try await TenancyFixture.quiet()
        let page = await fixture.send(
            .get, "/companies/\(fixture.companyA)/calls?status=bogus&from=2024-13-40&to=yesterday&min=x", as: "adminA")
        #expect(page.status == 200)
        #expect(page.bodyText.contains("Not a valid filter, left out: status, from, to"))
    }

    @Test func whatAPageShowsIsEscaped() async throws {
        let fixture = try await TenancyFixture.quiet()
        let hostile = #"<script>alert("x")</script> & 'quotes'"#
        let created = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyA)/teams", as: "adminA",
            json: #"{"name":"<script>alert(\"x\")</script> & 'quotes'"}"#)
        #expect(created.status == 201)
        let page = await fixture.send(.get, "/companies/\(fixture.companyA)/people", as: "adminA")
        #expect(page.status == 200)
        #expect(!page.bodyText.contains(hostile))
        #expect(page.bodyText.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"))
        #expect(HTML.escape(hostile) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;")
        let fragment: HTML = "<p title=\"\(hostile)\">\(hostile)</p>"
        #expect(!fragment.markup.contains("<script>"))
    }

    @Test func pagesCarryTheStrictPolicyWithTheirOwnNonce() async throws {
        let fixture = try await TenancyFixture.quiet()
        for path in ["/sign-in", "/companies/\(fixture.companyA)"] {
            let page = await fixture.send(.get, path, as: "adminA")
            #expect(page.status == 200, "\(path)")
            let policy = try #require(page.headers["Content-Security-Policy"])
            let nonce = try #require(policy.firstMatch(of: /'nonce-([A-Za-z0-9+\/=]+)'/)?.1)
            #expect(page.bodyText.contains("nonce=\"\(nonce)\""), "the script and stylesheet carry the nonce")
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(page.headers["Cache-Control"] == "no-store")
            #expect(!page.bodyText.contains(" style="), "no inline style attribute, which the policy would block")
            #expect(!page.bodyText.contains("<script>"), "no inline script")
            #expect(!page.bodyText.contains("onclick="))
        }
        let dashboard = await fixture.send(.get, "/companies/\(fixture.companyA)", as: "adminA").bodyText
        let expires = try #require(dashboard.firstMatch(of: /data-session-expires="(\d+)"/).flatMap { Int($0.1) })
        let now = Int(Date().timeIntervalSince1970)
        #expect(expires > now && expires <= now + 3_600, "the page says when its session ends")
        for asset in WebAssets.all {
            let response = await fixture.send(.get, asset.path, as: nil)
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"] == asset.contentType)
            #expect(response.headers["Cache-Control"] == SecurityHeaders.immutable)
            #expect(response.headers["Content-Security-Policy"]?.contains("nonce") == false)
        }
        #expect(await fixture.send(.get, "/assets/app-0000000000000000.js", as: nil).status == 404)
    }

    @Test func signedOutAndHeldSessionsAreSentWhereTheyBelong() async throws {
        let fixture = try await TenancyFixture.quiet()
        #expect(await fixture.send(.get, "/", as: nil).headers["Location"] == "/sign-in")
        #expect(
            await fixture.send(.get, "/", as: "agentA").headers["Location"] == "/companies/\(fixture.companyA)")
        #expect(await fixture.send(.get, "/platform", as: "adminA").status == 403)
        #expect(await fixture.send(.get, "/platform", as: "operatorA").status == 403, "a role is not the platform")
        let console = await fixture.send(.get, "/platform", as: "platform")
        #expect(console.status == 200)
        #expect(console.bodyText.contains("Rate limits"))
        let forged = await fixture.server.client().send(
            .get, "/companies/\(fixture.companyA)", headers: ["Cookie": "__Host-callcoach_access=forged"])
        #expect(forged.status == 303, "a forged session cookie is no session")
        let before = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/mfa-policy", as: "adminA")
        #expect(try object(before)["required"] as? Bool == false)
        let required = await fixture.send(
            .put, "/api/v1/companies/\(fixture.companyA)/mfa-policy", as: "adminA", json: #"{"required":true}"#)
        #expect(required.status == 200)
        let held = await fixture.send(.get, "/companies/\(fixture.companyA)/calls", as: "agentA")
        #expect(held.headers["Location"] == "/account/mfa", "a session held to enrolment goes to enrolment")
        let enrolment = await fixture.send(.get, "/account/mfa", as: "agentA")
        #expect(enrolment.status == 200)
        #expect(enrolment.bodyText.contains("requires two-step verification"))
    }
}

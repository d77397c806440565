import CallCoachHTTP
import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

@Suite struct MembershipTests {
    func memberID(_ fixture: IdentityFixture, token: String) async throws -> String {
        try string(await fixture.get("/api/v1/me", token: token), "id")
    }

    @Test func aRoleChangeRevokesTheMembersSessionsAtOnce() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let agent = try await InvitationTests.join(fixture, admin: admin, email: "agent@example.com", role: "agent")
        let agentID = try await memberID(fixture, token: agent)
        let path = "/api/v1/companies/\(fixture.companyID)/members/\(agentID)"
        #expect(await fixture.send(.patch, path, token: admin, json: #"{"role":"manager"}"#).status == 204)
        #expect(await fixture.get("/api/v1/me", token: agent).status == 401)
        let again = try #require(
            try await fixture.signIn("agent@example.com", "a-fresh-long-password")["accessToken"] as? String)
        let role = (try object(await fixture.get("/api/v1/me", token: again))["memberships"] as? [[String: Any]])?
            .first?["role"]
        #expect(role as? String == "manager")
    }

    @Test func nobodySetsTheirOwnRoleOrOneAboveTheirs() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let adminID = try await memberID(fixture, token: admin)
        let own = await fixture.send(
            .patch, "/api/v1/companies/\(fixture.companyID)/members/\(adminID)", token: admin,
            json: #"{"role":"super_admin"}"#)
        #expect(own.status == 403)
        let agent = try await InvitationTests.join(fixture, admin: admin, email: "agent@example.com", role: "agent")
        let agentID = try await memberID(fixture, token: agent)
        let above = await fixture.send(
            .patch, "/api/v1/companies/\(fixture.companyID)/members/\(agentID)", token: admin,
            json: #"{"role":"super_admin"}"#)
        #expect(above.status == 403)
        let byAgent = await fixture.send(
            .patch, "/api/v1/companies/\(fixture.companyID)/members/\(adminID)", token: agent,
            json: #"{"role":"agent"}"#)
        #expect(byAgent.status == 403)
        let unknown = await fixture.send(
            .patch, "/api/v1/companies/\(fixture.companyID)/members/\(agentID)", token: admin,
            json: #"{"role":"owner"}"#)
        #expect(unknown.status == 400)
    }

    @Test func removalFromTheCompanyRevokesAtOnce() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let agent = try await InvitationTests.join(fixture, admin: admin, email: "agent@example.com", role: "agent")
        let agentID = try await memberID(fixture, token: agent)
        let path = "/api/v1/companies/\(fixture.companyID)/members/\(agentID)"
        #expect(await fixture.send(.delete, path, token: admin).status == 204)
        #expect(await fixture.get("/api/v1/me", token: agent).status == 401)
        #expect(await fixture.send(.delete, path, token: admin).status == 404)
        let again = try #require(
            try await fixture.signIn("agent@example.com", "a-fresh-long-password")["accessToken"] as? String)
        #expect((try object(await fixture.get("/api/v1/me", token: again))["memberships"] as? [Any])?.isEmpty == true)
    }

    @Test func deactivationEndsSessionsAndBlocksSignIn() async throws {
        let fixture = try await IdentityFixture.make()
        let tokens = try await fixture.signIn()
        let access = try #require(tokens["accessToken"] as? String)
        let refresh = try #require(tokens["refreshToken"] as? String)
        try await fixture.server.runtime.identity.setDeactivated(true, email: "Admin@Example.com")
        #expect(await fixture.get("/api/v1/me", token: access).status == 401)
        #expect(
            await fixture.client.send(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(refresh)"}"#).status
                == 401)
        let refused = await fixture.login(fixture.adminEmail)
        #expect(refused.status == 401)
        #expect(try string(refused, "detail") == "The e-mail address or password is incorrect.")
        try await fixture.server.runtime.identity.setDeactivated(false, email: "admin@example.com")
        #expect(await fixture.login(fixture.adminEmail).status == 200)
    }
}

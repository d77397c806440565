import CallCoachCrypto
import CallCoachHTTP
import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

@Suite struct MFATests {
    /// Enrols the signed-in user; returns the secret and the recovery codes.
    func enrol(_ fixture: IdentityFixture, token: String) async throws -> (secret: [UInt8], codes: [String]) {
        let started = await fixture.send(.post, "/api/v1/me/mfa/totp", token: token)
        #expect(started.status == 201)
        let body = try object(started)
        let encoded = try #require(body["secret"] as? String)
        let uri = try #require(body["otpauthURI"] as? String)
        #expect(
            uri.hasPrefix("otpauth://totp/CallCoach:") && uri.contains("secret=\(encoded)")
                && uri.contains("issuer=CallCoach"))
        let svg = try #require(body["qrCodeSVG"] as? String)
        #expect(svg.hasPrefix("<svg") && svg.contains("<path"))
        let secret = try #require(Self.base32Decode(encoded))
        let code = OneTimePassword.totp(secret: secret, at: Int64(fixture.clock.now.timeIntervalSince1970))
        let wrong = await fixture.send(.post, "/api/v1/me/mfa/totp/confirm", token: token, json: #"{"code":"000000"}"#)
        #expect(wrong.status == 401 || code == "000000")
        let confirmed = await fixture.send(
            .post, "/api/v1/me/mfa/totp/confirm", token: token, json: #"{"code":"\#(code)"}"#)
        #expect(confirmed.status == 200)
        let codes = try #require(try object(confirmed)["recoveryCodes"] as? [String])
        #expect(codes.count == 10 && Set(codes).count == 10)
        return (secret, codes)
    }

    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var buffer = 0
        var bytes: [UInt8] = []
        for character in text {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return bytes
    }

    func challenge(_ fixture: IdentityFixture) async throws -> String {
        let response = await fixture.login(fixture.adminEmail)
        #expect(response.status == 200)
        let body = try object(response)
        #expect(body["mfaRequired"] as? Bool == true)
        #expect(body["accessToken"] == nil)
        return try #require(body["mfaToken"] as? String)
    }

    func answer(_ fixture: IdentityFixture, _ challenge: String, _ code: String) async -> Response {
        await fixture.client.send(.post, "/api/v1/auth/mfa", json: #"{"mfaToken":"\#(challenge)","code":"\#(code)"}"#)
    }

    @Test func totpSignInAcceptsEachStepOnceAndRecoveryCodesOnce() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let fixture = try await IdentityFixture.make(clock: clock)
        let token = try #require(try await fixture.signIn()["accessToken"] as? String)
        let (secret, codes) = try await enrol(fixture, token: token)

        clock.advance(by: 30)
        let code = OneTimePassword.totp(secret: secret, at: Int64(clock.now.timeIntervalSince1970))
        let first = try await challenge(fixture)
        let signedIn = await answer(fixture, first, code)
        #expect(signedIn.status == 200)
        #expect(await fixture.get("/api/v1/me", token: try string(signedIn, "accessToken")).status == 200)

        let replayed = await answer(fixture, try await challenge(fixture), code)
        #expect(replayed.status == 401, "a TOTP step is never accepted twice")
        #expect(fixture.server.logs.lines.contains { $0.contains("auth.mfa.replay") })
        #expect(await answer(fixture, first, code).status == 401, "a used challenge is gone")

        let recovery = codes[0]
        #expect(await answer(fixture, try await challenge(fixture), recovery.uppercased()).status == 200)
        #expect(await answer(fixture, try await challenge(fixture), recovery).status == 401, "recovery codes work once")
        #expect(await answer(fixture, try await challenge(fixture), codes[1]).status == 200)
    }

    @Test func guessingCodesLocksTheSecondFactor() async throws {
        let fixture = try await IdentityFixture.make()
        let token = try #require(try await fixture.signIn()["accessToken"] as? String)
        let (secret, _) = try await enrol(fixture, token: token)
        let challenge = try await challenge(fixture)
        let valid = OneTimePassword.totp(secret: secret, at: Int64(fixture.clock.now.timeIntervalSince1970) + 30)
        for guess in ["111111", "222222", "333333", "444444", "555555"] where guess != valid {
            _ = await answer(fixture, challenge, guess)
        }
        #expect(await answer(fixture, challenge, valid).status == 429)
    }

    @Test func aCompanyCanRequireMFABeforeAnythingElseWorks() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let policy = await fixture.send(
            .put, "/api/v1/companies/\(fixture.companyID)/mfa-policy", token: admin, json: #"{"required":true}"#)
        #expect(policy.status == 200)
        #expect(
            await fixture.get("/api/v1/me/sessions", token: admin).status == 403,
            "the open session is held to enrolment")

        let tokens = try await fixture.signIn()
        #expect(tokens["mfaEnrollmentRequired"] as? Bool == true)
        let held = try #require(tokens["accessToken"] as? String)
        let refused = await fixture.get("/api/v1/me/sessions", token: held)
        #expect(refused.status == 403)
        #expect(try string(refused, "type") == "/problems/mfa-enrollment-required")
        #expect(try object(await fixture.get("/api/v1/me", token: held))["mfaEnrollmentRequired"] as? Bool == true)

        _ = try await enrol(fixture, token: held)
        #expect(await fixture.get("/api/v1/me/sessions", token: held).status == 200)
    }

    @Test func onlyAdminsSetTheMFAPolicy() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let agentToken = try await InvitationTests.join(
            fixture, admin: admin, email: "agent@example.com", role: "agent")
        let response = await fixture.send(
            .put, "/api/v1/companies/\(fixture.companyID)/mfa-policy", token: agentToken, json: #"{"required":true}"#)
        #expect(response.status == 403)
        let elsewhere = await fixture.send(
            .put, "/api/v1/companies/nope/mfa-policy", token: admin, json: #"{"required":true}"#)
        #expect(elsewhere.status == 404)
    }

    @Test func resettingMFANeedsThePasswordAndEndsSessions() async throws {
        let fixture = try await IdentityFixture.make()
        let token = try #require(try await fixture.signIn()["accessToken"] as? String)
        _ = try await enrol(fixture, token: token)
        let wrong = await fixture.send(
            .delete, "/api/v1/me/mfa", token: token, json: #"{"password":"not-my-password"}"#)
        #expect(wrong.status == 401)
        let reset = await fixture.send(
            .delete, "/api/v1/me/mfa", token: token, json: #"{"password":"\#(IdentityFixture.password)"}"#)
        #expect(reset.status == 204)
        #expect(await fixture.get("/api/v1/me", token: token).status == 401)
        #expect(try await fixture.signIn()["accessToken"] != nil, "sign-in no longer asks for a code")
    }
}

@Suite struct InvitationTests {
    /// Invites `email` with `role`, accepts from the e-mailed link, and returns the new member's token.
    static func join(_ fixture: IdentityFixture, admin: String, email: String, role: String) async throws -> String {
        let invited = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyID)/invitations", token: admin,
            json: #"{"email":"\#(email)","role":"\#(role)"}"#)
        #expect(invited.status == 202)
        let mail = try #require(try await fixture.deliveredMail().last { $0.contains("To: \(email)") })
        #expect(mail.contains("Subject: You are invited to Acme Collections on CallCoach"))
        let accepted = await fixture.client.send(
            .post, "/api/v1/invitations/accept",
            json:
                #"{"token":"\#(try linkToken(in: mail))","password":"a-fresh-long-password","displayName":"New Person"}"#
        )
        #expect(accepted.status == 200)
        return try string(accepted, "accessToken")
    }

    @Test func anInviteeSetsAPasswordAndJoinsWithTheRole() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let token = try await Self.join(fixture, admin: admin, email: "agent@example.com", role: "agent")
        let profile = try object(await fixture.get("/api/v1/me", token: token))
        #expect(profile["displayName"] as? String == "New Person")
        let membership = try #require((profile["memberships"] as? [[String: Any]])?.first)
        #expect(membership["role"] as? String == "agent")
        #expect(await fixture.login("agent@example.com", "a-fresh-long-password").status == 200)
    }

    @Test func invitationsAreSingleUseAndBoundedByTheInvitersRole() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let agent = try await Self.join(fixture, admin: admin, email: "agent@example.com", role: "agent")
        let byAgent = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyID)/invitations", token: agent,
            json: #"{"email":"x@example.com","role":"agent"}"#)
        #expect(byAgent.status == 403)
        let aboveSelf = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyID)/invitations", token: admin,
            json: #"{"email":"x@example.com","role":"super_admin"}"#)
        #expect(aboveSelf.status == 403)
        let unknownRole = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyID)/invitations", token: admin,
            json: #"{"email":"x@example.com","role":"owner"}"#)
        #expect(unknownRole.status == 400)
        let mail = try #require(try await fixture.deliveredMail().first { $0.contains("To: agent@example.com") })
        let again = await fixture.client.send(
            .post, "/api/v1/invitations/accept",
            json: #"{"token":"\#(try linkToken(in: mail))","password":"another-long-password"}"#)
        #expect(again.status == 401)
    }

    @Test func membershipCannotBeClaimedFromAPayload() async throws {
        let fixture = try await IdentityFixture.make()
        let admin = try #require(try await fixture.signIn()["accessToken"] as? String)
        let invited = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyID)/invitations", token: admin,
            json: #"{"email":"y@example.com","role":"agent","companyId":"other"}"#)
        #expect(invited.status == 400)
        let mail = try await fixture.deliveredMail()
        #expect(mail.isEmpty)
    }
}

@Suite struct PasswordResetTests {
    @Test func aResetLinkWorksOnceWithin30MinutesAndEndsSessions() async throws {
        let clock = TestClock()
        let fixture = try await IdentityFixture.make(clock: clock)
        let session = try #require(try await fixture.signIn()["accessToken"] as? String)
        #expect(
            await fixture.client.send(.post, "/api/v1/auth/password-reset", json: #"{"email":"ADMIN@example.com"}"#)
                .status == 202)
        #expect(
            await fixture.client.send(.post, "/api/v1/auth/password-reset", json: #"{"email":"ghost@example.com"}"#)
                .status == 202)
        let mails = try await fixture.deliveredMail()
        #expect(mails.count == 1, "nothing is sent for an unknown address")
        let mail = try #require(mails.first)
        #expect(mail.contains("To: admin@example.com"))
        let token = try linkToken(in: mail)
        #expect(token.hasPrefix("ccp_"))

        let confirm = #"{"token":"\#(token)","newPassword":"brand-new-password"}"#
        #expect(await fixture.client.send(.post, "/api/v1/auth/password-reset/confirm", json: confirm).status == 204)
        #expect(await fixture.get("/api/v1/me", token: session).status == 401)
        #expect(await fixture.login("admin@example.com", "brand-new-password").status == 200)
        #expect(await fixture.client.send(.post, "/api/v1/auth/password-reset/confirm", json: confirm).status == 401)

        _ = await fixture.client.send(.post, "/api/v1/auth/password-reset", json: #"{"email":"admin@example.com"}"#)
        let late = try linkToken(in: try #require(try await fixture.deliveredMail().last { !$0.contains(token) }))
        clock.advance(by: 31 * 60)
        let expired = await fixture.client.send(
            .post, "/api/v1/auth/password-reset/confirm",
            json: #"{"token":"\#(late)","newPassword":"brand-new-password-2"}"#)
        #expect(expired.status == 401)
    }

    @Test func aSuccessfulResetLiftsTheLockout() async throws {
        let fixture = try await IdentityFixture.make()
        for _ in 0..<5 { _ = await fixture.login("admin@example.com", "wrong-password") }
        #expect(await fixture.login("admin@example.com").status == 429)
        _ = await fixture.client.send(.post, "/api/v1/auth/password-reset", json: #"{"email":"admin@example.com"}"#)
        let token = try linkToken(in: try #require(try await fixture.deliveredMail().first))
        _ = await fixture.client.send(
            .post, "/api/v1/auth/password-reset/confirm",
            json: #"{"token":"\#(token)","newPassword":"brand-new-password"}"#)
        #expect(await fixture.login("admin@example.com", "brand-new-password", from: "198.51.100.8").status == 200)
    }
}

@Suite struct BrowserSessionTests {
    @Test func cookiesCarryTheTokensAndStateChangesNeedOurOrigin() async throws {
        let fixture = try await IdentityFixture.make()
        let response = await fixture.login(fixture.adminEmail)
        let cookies = response.headers.values("Set-Cookie")
        #expect(cookies.count == 2)
        for cookie in cookies {
            #expect(cookie.hasPrefix("__Host-callcoach_"))
            #expect(cookie.contains("; Path=/; Secure; HttpOnly; SameSite=Strict"))
        }
        let access = try #require(
            cookies.first { $0.hasPrefix("__Host-callcoach_access=") }?.split(separator: ";").first)
        let cookie = String(access)
        let client = fixture.client
        #expect(await client.get("/api/v1/me", headers: ["Cookie": cookie]).status == 200)
        #expect(
            await client.send(.post, "/api/v1/auth/logout", headers: ["Cookie": cookie, "Host": "localhost:8443"])
                .status == 403)
        let foreign = await client.send(
            .post, "/api/v1/auth/logout",
            headers: ["Cookie": cookie, "Host": "localhost:8443", "Origin": "https://evil.example"])
        #expect(foreign.status == 403)
        let own = await client.send(
            .post, "/api/v1/auth/logout",
            headers: ["Cookie": cookie, "Host": "localhost:8443", "Origin": "https://localhost:8443"])
        #expect(own.status == 204)
        #expect(own.headers.values("Set-Cookie").allSatisfy { $0.contains("Max-Age=0") })
        #expect(await client.get("/api/v1/me", headers: ["Cookie": cookie]).status == 401)
    }
}

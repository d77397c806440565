import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

@Suite struct SignInTests {
    @Test func signInReturnsTokensThatOpenTheProfile() async throws {
        let fixture = try await IdentityFixture.make()
        let tokens = try await fixture.signIn()
        #expect(tokens["expiresIn"] as? Int == 3600)
        #expect((tokens["refreshToken"] as? String)?.hasPrefix("ccr_") == true)
        let me = await fixture.get("/api/v1/me", token: try #require(tokens["accessToken"] as? String))
        #expect(me.status == 200)
        let profile = try object(me)
        #expect(profile["email"] as? String == "admin@example.com")
        let memberships = try #require(profile["memberships"] as? [[String: Any]])
        #expect(memberships.count == 1)
        #expect(memberships[0]["companyId"] as? String == fixture.companyID)
        #expect(memberships[0]["companyName"] as? String == "Acme Collections")
        #expect(memberships[0]["role"] as? String == "admin")
        #expect(memberships[0]["teamIds"] as? [String] == [])
    }

    @Test func wrongPasswordAndUnknownAccountGetTheSameAnswer() async throws {
        let fixture = try await IdentityFixture.make()
        let wrong = await fixture.login("admin@example.com", "not-the-password")
        let unknown = await fixture.login("nobody@example.com", "not-the-password")
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(try string(wrong, "detail") == string(unknown, "detail"))
        #expect(wrong.headers["Content-Type"] == "application/problem+json")
        #expect(fixture.server.runtime.metrics.value(of: "callcoach_auth_failures_total") == 2)
        #expect(fixture.server.logs.lines.filter { $0.contains("auth.login.failed") }.count == 2)
    }

    @Test func emailVariantsAreOneIdentity() async throws {
        let fixture = try await IdentityFixture.make()
        for variant in ["  ADMIN@Example.com ", "ａｄｍｉｎ@example.com", "Admin@EXAMPLE.COM"] {
            #expect(await fixture.login(variant).status == 200, "\(variant)")
        }
    }

    @Test func lockoutGrowsSharesVariantsAndSurvivesARestart() async throws {
        let clock = TestClock()
        let directory = try TemporaryDirectory()
        var fixture = try await IdentityFixture.make(clock: clock, directory: directory)
        let variants = [
            "admin@example.com", " Admin@Example.com", "ADMIN@EXAMPLE.COM", "ａｄｍｉｎ@example.com", "admin@example.com ",
        ]
        for (index, variant) in variants.enumerated() {
            // Five addresses, so only the per-account counter can trip.
            #expect(await fixture.login(variant, "wrong-password", from: "203.0.113.\(index)").status == 401)
        }
        let locked = await fixture.login("admin@example.com", from: "203.0.113.99")
        #expect(locked.status == 429)
        #expect(locked.headers["Retry-After"] == "60")
        #expect(try string(locked, "detail").contains("Too many"))

        fixture.server.stop()
        fixture = IdentityFixture(
            server: try await LiveServer.start(in: directory, clock: clock), clock: clock, companyID: fixture.companyID)
        #expect(await fixture.login("admin@example.com").status == 429, "the lock outlives a restart")

        clock.advance(by: 61)
        #expect(await fixture.login("admin@example.com").status == 200)
        for _ in 0..<5 { _ = await fixture.login("admin@example.com", "wrong-password") }
        #expect(await fixture.login("admin@example.com").headers["Retry-After"] == "60", "success reset the level")

        clock.advance(by: 61)
        for _ in 0..<5 { _ = await fixture.login("admin@example.com", "wrong-password") }
        #expect(await fixture.login("admin@example.com").headers["Retry-After"] == "300", "the second lock is longer")
    }

    @Test func unknownAccountsAreLockedTheSameWay() async throws {
        let fixture = try await IdentityFixture.make()
        for _ in 0..<5 { #expect(await fixture.login("ghost@example.com", "whatever-it-is").status == 401) }
        #expect(await fixture.login("ghost@example.com", "whatever-it-is").status == 429)
    }

    @Test func oneAddressTryingManyAccountsIsLocked() async throws {
        let fixture = try await IdentityFixture.make()
        for index in 0..<5 {
            #expect(
                await fixture.login("user\(index)@example.com", "guess-guess-guess", from: "192.0.2.50").status == 401)
        }
        #expect(await fixture.login("admin@example.com", from: "192.0.2.50").status == 429)
        #expect(await fixture.login("admin@example.com", from: "192.0.2.51").status == 200)
    }

    @Test(arguments: [
        #"{"email":"admin@example.com"}"#,
        #"{"email":"admin@example.com","password":"x","remember":true}"#,
        #"{"email":"admin@example.com","password":42}"#,
        #"["admin@example.com"]"#,
        #"{"email":"#,
        "",
    ])
    func malformedBodiesAre400(body: String) async throws {
        let fixture = try await IdentityFixture.make()
        let response = await fixture.client.send(.post, "/api/v1/auth/login", json: body)
        #expect(response.status == 400)
        #expect(response.headers["Content-Type"] == "application/problem+json")
    }

    @Test func oversizedFieldsAndWrongContentTypesAreRefused() async throws {
        let fixture = try await IdentityFixture.make()
        let long = String(repeating: "p", count: 2000)
        #expect(await fixture.login("admin@example.com", long).status == 400)
        let form = await fixture.client.send(
            .post, "/api/v1/auth/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array("email=a&password=b".utf8))
        #expect(form.status == 415)
        let huge = await fixture.client.send(.post, "/api/v1/auth/login", json: String(repeating: " ", count: 9000))
        #expect(huge.status == 413)
    }
}

@Suite struct TokenTests {
    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        let fixture = try await IdentityFixture.make()
        let first = try await fixture.signIn()
        let firstRefresh = try #require(first["refreshToken"] as? String)
        let rotated = await fixture.client.send(
            .post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(firstRefresh)"}"#)
        #expect(rotated.status == 200)
        let second = try object(rotated)
        let secondAccess = try #require(second["accessToken"] as? String)
        #expect(second["refreshToken"] as? String != firstRefresh)
        #expect(await fixture.get("/api/v1/me", token: secondAccess).status == 200)

        let replay = await fixture.client.send(
            .post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(firstRefresh)"}"#)
        #expect(replay.status == 401)
        #expect(await fixture.get("/api/v1/me", token: secondAccess).status == 401, "the whole family is revoked")
        let secondRefresh = try #require(second["refreshToken"] as? String)
        let after = await fixture.client.send(
            .post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(secondRefresh)"}"#)
        #expect(after.status == 401)
        #expect(fixture.server.runtime.metrics.value(of: "callcoach_auth_refresh_reuse_total") == 1)
    }

    @Test func revocationTakesEffectOnTheNextRequest() async throws {
        let fixture = try await IdentityFixture.make()
        let a = try #require(try await fixture.signIn()["accessToken"] as? String)
        let b = try #require(try await fixture.signIn()["accessToken"] as? String)
        let c = try #require(try await fixture.signIn()["accessToken"] as? String)

        let sessions = try object(await fixture.get("/api/v1/me/sessions", token: a))["sessions"] as? [[String: Any]]
        #expect(sessions?.count == 3)
        #expect(sessions?.filter { $0["current"] as? Bool == true }.count == 1)

        #expect(await fixture.send(.post, "/api/v1/auth/logout", token: a).status == 204)
        #expect(await fixture.get("/api/v1/me", token: a).status == 401)
        #expect(await fixture.get("/api/v1/me", token: b).status == 200)

        let bSession = try #require(
            (try object(await fixture.get("/api/v1/me/sessions", token: b))["sessions"] as? [[String: Any]])?
                .first { $0["current"] as? Bool == true }?["id"] as? String)
        #expect(await fixture.send(.delete, "/api/v1/me/sessions/\(bSession)", token: c).status == 204)
        #expect(await fixture.get("/api/v1/me", token: b).status == 401)
        #expect(await fixture.send(.delete, "/api/v1/me/sessions/not-a-session", token: c).status == 404)

        #expect(await fixture.send(.post, "/api/v1/auth/logout-all", token: c).status == 204)
        #expect(await fixture.get("/api/v1/me", token: c).status == 401)
    }

    @Test func passwordChangeEndsEveryOtherSession() async throws {
        let fixture = try await IdentityFixture.make()
        let other = try #require(try await fixture.signIn()["accessToken"] as? String)
        let mine = try #require(try await fixture.signIn()["accessToken"] as? String)
        let wrong = await fixture.send(
            .post, "/api/v1/me/password", token: mine,
            json: #"{"currentPassword":"nope-nope-nope","newPassword":"another-long-secret"}"#)
        #expect(wrong.status == 401)
        let weak = await fixture.send(
            .post, "/api/v1/me/password", token: mine,
            json: #"{"currentPassword":"\#(IdentityFixture.password)","newPassword":"short"}"#)
        #expect(weak.status == 422)
        let changed = await fixture.send(
            .post, "/api/v1/me/password", token: mine,
            json: #"{"currentPassword":"\#(IdentityFixture.password)","newPassword":"another-long-secret"}"#)
        #expect(changed.status == 200)
        #expect(await fixture.get("/api/v1/me", token: other).status == 401)
        #expect(await fixture.get("/api/v1/me", token: mine).status == 401)
        #expect(await fixture.get("/api/v1/me", token: try string(changed, "accessToken")).status == 200)
        #expect(await fixture.login("admin@example.com").status == 401)
        #expect(await fixture.login("admin@example.com", "another-long-secret").status == 200)
    }

    @Test func forgedExpiredAndForeignTokensAreRefusedAlike() async throws {
        let clock = TestClock()
        let fixture = try await IdentityFixture.make(clock: clock)
        let token = try #require(try await fixture.signIn()["accessToken"] as? String)
        let parts = token.split(separator: ".").map(String.init)
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
        let foreign = try JWTSigner(
            keyID: "other", signingKey: Ed25519PrivateKey(), issuer: "callcoach", audience: "callcoach-api"
        ).sign(
            AccessTokenClaims(
                sub: "x", sid: "y", jti: "z", iat: Int64(clock.now.timeIntervalSince1970),
                exp: Int64(clock.now.timeIntervalSince1970) + 60, iss: "callcoach", aud: "callcoach-api"))
        var details: Set<String> = []
        for bad in [none, foreign, parts[0] + "." + parts[1] + ".AAAA", "garbage"] {
            let response = await fixture.get("/api/v1/me", token: bad)
            #expect(response.status == 401)
            #expect(response.headers["WWW-Authenticate"] != nil)
            details.insert(try string(response, "detail"))
        }
        clock.advance(by: 3600 + 31)
        let expired = await fixture.get("/api/v1/me", token: token)
        #expect(expired.status == 401)
        details.insert(try string(expired, "detail"))
        #expect(details.count == 1, "every refusal reads the same")
        #expect(await fixture.client.get("/api/v1/me").status == 401)
        #expect(fixture.server.runtime.metrics.value(of: "callcoach_auth_token_rejections_total") >= 5)
    }

    @Test func idleSessionsExpire() async throws {
        let clock = TestClock()
        let fixture = try await IdentityFixture.make(clock: clock)
        let tokens = try await fixture.signIn()
        clock.advance(by: 86_400 + 1)
        let refresh = try #require(tokens["refreshToken"] as? String)
        #expect(
            await fixture.client.send(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(refresh)"}"#).status
                == 401)
    }
}

@Suite struct SessionLifetimeTests {
    @Test func weakerPasswordHashesAreUpgradedAtSignIn() async throws {
        let fixture = try await IdentityFixture.make()
        let weak = try PasswordHasher(parameters: .init(memory: 1024, iterations: 1, parallelism: 1)).hash(
            "an-old-account-password")
        try await fixture.server.runtime.database.write { connection in
            try connection.execute("UPDATE users SET password_hash = \(weak) WHERE email = 'admin@example.com'")
        }
        #expect(await fixture.login(fixture.adminEmail, "an-old-account-password").status == 200)
        let stored = try await fixture.server.runtime.database.read { connection in
            try connection.queryOne("SELECT password_hash FROM users WHERE email = 'admin@example.com'")?
                .decode("password_hash", as: String.self)
        }
        #expect(stored?.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$") == true)
        #expect(await fixture.login(fixture.adminEmail, "an-old-account-password").status == 200)
    }

    @Test func sessionsEndAfterThirtyDaysHoweverActive() async throws {
        let clock = TestClock()
        let server = try await LiveServer.start(clock: clock) { $0.sessionIdleTimeoutSeconds = 2_592_000 }
        let fixture = IdentityFixture(
            server: server, clock: clock,
            companyID: try await server.runtime.identity.createCompany(
                name: "Acme", adminEmail: "admin@example.com", password: IdentityFixture.password
            ).company.id)
        var refresh = try #require(try await fixture.signIn()["refreshToken"] as? String)
        for _ in 0..<2 {
            clock.advance(by: 12 * 86_400)
            let rotated = await fixture.client.send(
                .post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(refresh)"}"#)
            #expect(rotated.status == 200)
            refresh = try string(rotated, "refreshToken")
        }
        clock.advance(by: 6 * 86_400 + 1)
        #expect(
            await fixture.client.send(.post, "/api/v1/auth/refresh", json: #"{"refreshToken":"\#(refresh)"}"#).status
                == 401)
    }
}

@Suite struct ParallelGuessTests {
    @Test func parallelGuessesGetNoMoreThanFiveTries() async throws {
        let fixture = try await IdentityFixture.make()
        let statuses = await withTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { await fixture.login("admin@example.com", "guess-number-\(index)").status }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses.sorted())")
        #expect(statuses.filter { $0 == 429 }.count == 15)
        #expect(await fixture.login("admin@example.com").status == 429, "the right password waits out the lock too")
    }

    @Test func successfulSignInsFromOneAddressNeverAddUp() async throws {
        let fixture = try await IdentityFixture.make()
        for _ in 0..<8 { #expect(await fixture.login("admin@example.com").status == 200) }
    }
}

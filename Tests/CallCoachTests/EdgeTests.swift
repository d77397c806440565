import CallCoachCore
import CallCoachCrypto
import CallCoachHTTP
@testable import CallCoachServer
@testable import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

/// Seeds a platform operator into `server` and returns a signed-in access token.
func platformOperatorToken(_ server: LiveServer) async throws -> String {
    let id = Identifier.make()
    try await server.runtime.database.write(.platform) { connection in
        try IdentityRecords.insert(
            User(
                id: id, email: EmailAddress("operator-\(id.prefix(8))@example.com")!, displayName: "Operator",
                passwordHash: "unused", createdAt: Date()), connection)
        try IdentityRecords.setPlatformOperator(true, userID: id, connection)
    }
    return try await server.runtime.identity.startSession(userID: id).accessToken
}

func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

@Suite struct SecurityHeaderTests {
    /// Every header the edge issue requires, on a response of any kind.
    static func checkHeaders(_ headers: [(name: String, value: String)], https: Bool, _ what: String) {
        func value(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        #expect(value("X-Frame-Options") == "DENY", "\(what)")
        #expect(value("X-Content-Type-Options") == "nosniff", "\(what)")
        #expect(value("Referrer-Policy") == "strict-origin-when-cross-origin", "\(what)")
        #expect(value("Cross-Origin-Opener-Policy") == "same-origin", "\(what)")
        #expect(value("Cross-Origin-Resource-Policy") == "same-origin", "\(what)")
        #expect(value("Permissions-Policy")?.contains("camera=()") == true, "\(what)")
        #expect(value("Cache-Control") == "no-store", "\(what)")
        #expect(value("X-Powered-By") == nil, "\(what)")
        let policy = value("Content-Security-Policy") ?? ""
        for directive in [
            "default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "script-src ",
            "style-src ", "img-src ", "connect-src ", "form-action ",
        ] {
            #expect(policy.contains(directive), "\(what): \(directive)")
        }
        #expect(!policy.contains("unsafe-"), "\(what)")
        if https { #expect(value("Strict-Transport-Security")?.hasPrefix("max-age=63072000") == true, "\(what)") }
        let result = ObservatoryGrader(headers: headers, https: https).grade()
        #expect(result.grade == "A+", "\(what): \(result.score) \(result.penalties)")
    }

    @Test func everyKindOfResponseCarriesTheHeadersAndGradesAPlus() async throws {
        let server = try await LiveServer.start { $0.redirectPort = 0 }
        let client = server.client()
        let responses: [(String, Response)] = [
            ("api 200", await client.get("/healthz")),
            ("problem 401", await client.get("/api/v1/me")),
            ("unmatched 404", await client.get("/no/such/page")),
            ("405", await client.send(.delete, "/healthz")),
            ("400", await client.get("/api/v1/%zz")),
            ("strict body 400", await client.send(.post, "/api/v1/public/demo-requests", json: "[]")),
            ("413", await client.send(.post, "/api/v1/auth/login", body: [UInt8](repeating: 0x20, count: 9000))),
        ]
        for (what, response) in responses {
            Self.checkHeaders(response.headers.fields, https: true, what)
        }
        let (httpsPort, redirectPort) = (server.httpsPort, try #require(server.redirectPort))
        let wire = try await blocking {
            [
                ("wire 200", try WireClient(port: httpsPort, tls: .modern).request("GET", "/healthz"), true),
                ("wire 404", try WireClient(port: httpsPort, tls: .modern).request("GET", "/missing"), true),
                ("redirect 308", try WireClient(port: redirectPort).request("GET", "/x"), false),
            ]
        }
        for (what, response, https) in wire {
            #expect(response.header("Server")?.contains("/") != true, "no server version banner")
            Self.checkHeaders(response.headers.map { (name: $0.0, value: $0.1) }, https: https, what)
        }
    }

    @Test func theGraderFailsWhatTheObservatoryFails() {
        let good = [
            ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
            ("Strict-Transport-Security", "max-age=63072000"), ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"), ("Cross-Origin-Resource-Policy", "same-origin"),
        ].map { (name: $0.0, value: $0.1) }
        #expect(ObservatoryGrader(headers: good, https: true).grade().grade == "A+")
        let missingPolicy = good.filter { $0.name != "Content-Security-Policy" }
        #expect(ObservatoryGrader(headers: missingPolicy, https: true).grade().score == 55)
        let unsafe = good.map {
            $0.name == "Content-Security-Policy" ? (name: $0.name, value: "script-src 'self' 'unsafe-inline'") : $0
        }
        #expect(ObservatoryGrader(headers: unsafe, https: true).grade().grade != "A+")
        let shortHSTS = good.map { $0.name.hasPrefix("Strict") ? (name: $0.name, value: "max-age=600") : $0 }
        #expect(ObservatoryGrader(headers: shortHSTS, https: true).grade().penalties == ["strict transport security"])
        let insecureCookie = good + [(name: "Set-Cookie", value: "session=1; HttpOnly")]
        #expect(ObservatoryGrader(headers: insecureCookie, https: true).grade().score < 70)
    }

    @Test func everyResponseHasItsOwnNonce() async throws {
        let server = try await LiveServer.start { $0.rateLimitPerMinute = 5000 }
        let client = server.client()
        var nonces: Set<String> = []
        for _ in 0..<1000 {
            let policy = try #require(await client.get("/healthz").headers["Content-Security-Policy"])
            let nonce = try #require(
                policy.split(separator: " ").first { $0.hasPrefix("'nonce-") }?.trimmingCharacters(in: [";"]))
            let value = nonce.dropFirst("'nonce-".count).dropLast()
            #expect(Data(base64Encoded: String(value))?.count == 16, "128 bits")
            #expect(policy.contains("script-src 'self' \(nonce)") && policy.contains("style-src 'self' \(nonce)"))
            nonces.insert(String(value))
        }
        #expect(nonces.count == 1000)
    }

    @Test func onlyAllowlistedRoutesAreCacheableAndTheyCarryNoNonce() async throws {
        var router = Router()
        router.add(.get, "/assets/app-0123abcd.css", cache: .immutable) { _ in Response.text("body{}") }
        router.add(.get, "/assets/broken-0123abcd.css", cache: .immutable) { _ in throw HTTPError.notFound }
        router.add(.get, "/page") { _ in
            var response = Response.text("page")
            response.headers.set("Cache-Control", "public, max-age=600")
            return response
        }
        let application = HTTPApplication(
            router: router, logger: Logger(sink: MemorySink()),
            securityHeaders: SecurityHeaders(scriptHashes: ["sha256-jzgBGA4UWFFmpOBq0JpdsySukE1FrEN5bUpoK8Z29fY="]))
        let client = TestClient(application)
        let asset = await client.get("/assets/app-0123abcd.css")
        #expect(asset.headers["Cache-Control"] == "public, max-age=31536000, immutable")
        #expect(asset.headers["Content-Security-Policy"]?.contains("nonce") == false)
        let missing = await client.get("/assets/broken-0123abcd.css")
        #expect(missing.headers["Cache-Control"] == "no-store", "errors are never cached")
        let page = await client.get("/page")
        #expect(page.headers["Cache-Control"] == "no-store", "a handler cannot opt out of the allowlist")
        #expect(
            page.headers["Content-Security-Policy"]?.contains("'sha256-jzgBGA4UWFFmpOBq0JpdsySukE1FrEN5bUpoK8Z29fY='")
                == true)
    }
}

@Suite struct ClientAddressTests {
    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let proxies = try #require(TrustedProxies(list: "10.0.0.0/8, 2001:db8::/32,192.0.2.1"))
        #expect(proxies.clientAddress(peer: "198.51.100.7", forwardedFor: ["1.2.3.4"]) == "198.51.100.7")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["1.2.3.4, 203.0.113.9"]) == "203.0.113.9")
        #expect(
            proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 203.0.113.9, 192.0.2.1"]) == "203.0.113.9",
            "trusted hops on the right are skipped")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["6.6.6.6", "203.0.113.9"]) == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["garbage, 203.0.113.9"]) == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["203.0.113.9, garbage"]) == "10.1.2.3")
        #expect(
            proxies.clientAddress(peer: "2001:db8::5", forwardedFor: ["2001:DB8:1::1, ::ffff:203.0.113.4"])
                == "203.0.113.4")
        #expect(proxies.clientAddress(peer: "::ffff:10.0.0.1", forwardedFor: ["203.0.113.4"]) == "203.0.113.4")
        for bad in ["10.0.0.0/33", "banana", "10.0.0.0/", "::1/129", "10.0.0.0/-1"] {
            #expect(TrustedProxies(list: bad) == nil, "\(bad)")
        }
        #expect(TrustedProxies(list: "")?.networks.isEmpty == true)
    }

    @Test func spoofedForwardedForSharesTheSocketsBucket() async throws {
        // A fixed clock: on a busy machine the requests could otherwise straddle a window's end.
        let server = try await LiveServer.start(clock: TestClock(Date(timeIntervalSince1970: 1_800_000_020))) {
            $0.rateLimitPerMinute = 3
            $0.trustedProxies = ["10.0.0.0/8"]
        }
        let direct = server.client(remoteAddress: "198.51.100.7")
        for index in 0..<3 {
            let response = await direct.get("/api/v1/me", headers: ["X-Forwarded-For": "203.0.113.\(index)"])
            #expect(response.status == 401)
        }
        #expect(
            await direct.get("/api/v1/me", headers: ["X-Forwarded-For": "203.0.113.99"]).status == 429,
            "rotating the header from an untrusted peer does not buy a new bucket")
        let proxy = server.client(remoteAddress: "10.0.0.2")
        for _ in 0..<3 {
            #expect(await proxy.get("/api/v1/me", headers: ["X-Forwarded-For": "6.6.6.6, 203.0.113.50"]).status == 401)
        }
        #expect(await proxy.get("/api/v1/me", headers: ["X-Forwarded-For": "7.7.7.7, 203.0.113.50"]).status == 429)
        #expect(await proxy.get("/api/v1/me", headers: ["X-Forwarded-For": "203.0.113.51"]).status == 401)
    }
}

@Suite struct EdgeRateLimitTests {
    @Test func concurrentClientsGetExactlyTheLimitAndItSurvivesARestart() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_020))
        let directory = try TemporaryDirectory()
        var server = try await LiveServer.start(in: directory, clock: clock) { $0.rateLimitPerMinute = 40 }
        let client = server.client(remoteAddress: "192.0.2.77")
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<60 { group.addTask { await client.get("/api/v1/me").status } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 401 }.count == 40, "exactly the limit passes")
        #expect(statuses.filter { $0 == 429 }.count == 20)
        server.stop()
        server = try await LiveServer.start(in: directory, clock: clock) { $0.rateLimitPerMinute = 40 }
        #expect(await server.client(remoteAddress: "192.0.2.77").get("/api/v1/me").status == 429, "after a restart")
        server.stop()
    }

    @Test func probingForMissingAddressesCountsAgainstTheLimit() async throws {
        let server = try await LiveServer.start(clock: TestClock(Date(timeIntervalSince1970: 1_800_000_020))) {
            $0.rateLimitPerMinute = 3
        }
        let client = server.client(remoteAddress: "192.0.2.90")
        for index in 0..<3 {
            let response = await client.get("/wp-admin/\(index).php")
            #expect(response.status == 404)
            #expect(response.headers["RateLimit-Remaining"] == String(2 - index))
        }
        #expect(await client.get("/.env").status == 429)
        #expect(await client.send(.delete, "/healthz").status == 405, "a wrong method still says which are allowed")
    }

    @Test func aLiveOverrideReachesEveryProcessWithinAMinuteAndIsAudited() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let directory = try TemporaryDirectory()
        let first = try await LiveServer.start(in: directory, clock: clock) { $0.rateLimitPerMinute = 100 }
        let second = try await LiveServer.start(in: directory, clock: clock) { $0.rateLimitPerMinute = 100 }
        let token = try await platformOperatorToken(first)
        let other = second.client(remoteAddress: "192.0.2.5")
        #expect(
            await other.get("/api/v1/me").headers["RateLimit-Limit"] == "100", "the second process cached the default")

        let set = await first.client().send(
            .put, "/api/v1/platform/rate-limits/global", json: #"{"maxRequests":5,"windowSeconds":60}"#,
            headers: bearer(token))
        #expect(set.status == 200)
        #expect(await first.client(remoteAddress: "192.0.2.6").get("/api/v1/me").headers["RateLimit-Limit"] == "5")
        clock.advance(by: 31)
        #expect(await other.get("/api/v1/me").headers["RateLimit-Limit"] == "5", "the other process within 60 s")

        let unknown = await first.client().send(
            .put, "/api/v1/platform/rate-limits/nonsense", json: #"{"maxRequests":5,"windowSeconds":60}"#,
            headers: bearer(token))
        #expect(unknown.status == 404)
        let invalid = await first.client().send(
            .put, "/api/v1/platform/rate-limits/global", json: #"{"maxRequests":0,"windowSeconds":60}"#,
            headers: bearer(token))
        #expect(invalid.status == 400)
        let listed = await first.client().get("/api/v1/platform/rate-limits", headers: bearer(token))
        #expect(listed.bodyText.contains(#""maxRequests":5"#))
        #expect(
            await first.client().send(.delete, "/api/v1/platform/rate-limits/global", headers: bearer(token)).status
                == 204)

        let log = await first.client().get("/api/v1/platform/audit-log", headers: bearer(token))
        #expect(log.bodyText.contains("rate_limit.overridden") && log.bodyText.contains("rate_limit.reset"))
        #expect(try await first.runtime.database.read(.platform) { try AuditLog.verifyAll($0) }.isEmpty)
        try await first.runtime.database.write(.platform) {
            try $0.execute("UPDATE platform_audit_events SET details = '{}' WHERE sequence = 1")
        }
        let breaks = try await first.runtime.database.read(.platform) { try AuditLog.verifyAll($0) }
        #expect(breaks.map(\.companyID) == [AuditLog.platformChain], "a changed platform entry is caught")
        first.stop()
        second.stop()
    }

    @Test func aCompanyOverrideAppliesOnlyToThatCompanysPaths() async throws {
        let server = try await LiveServer.start { $0.rateLimitPerMinute = 100 }
        let token = try await platformOperatorToken(server)
        let company = Identifier.make()
        try await server.runtime.database.write(.platform) {
            try IdentityRecords.insert(Company(id: company, name: "Tight", createdAt: Date()), $0)
        }
        let body = #"{"maxRequests":2,"windowSeconds":60,"companyId":"\#(company)"}"#
        #expect(
            await server.client().send(.put, "/api/v1/platform/rate-limits/global", json: body, headers: bearer(token))
                .status == 200)
        let missing = #"{"maxRequests":2,"windowSeconds":60,"companyId":"no-such-company"}"#
        #expect(
            await server.client().send(
                .put, "/api/v1/platform/rate-limits/global", json: missing, headers: bearer(token)
            )
            .status == 404)
        let client = server.client(remoteAddress: "192.0.2.44")
        let members = "/api/v1/companies/\(company)/members"
        #expect(await client.get(members).headers["RateLimit-Limit"] == "2")
        _ = await client.get(members)
        #expect(await client.get(members).status == 429)
        #expect(await client.get("/api/v1/me").status == 401, "elsewhere the platform default holds")
    }

    @Test func signInIsLimitedPerAccountWhateverTheAddress() async throws {
        let server = try await LiveServer.start()
        let token = try await platformOperatorToken(server)
        let body = #"{"maxRequests":3,"windowSeconds":300}"#
        #expect(
            await server.client().send(
                .put, "/api/v1/platform/rate-limits/sign-in.account", json: body, headers: bearer(token)
            ).status == 200)
        for (index, spelling) in ["victim@example.com", " VICTIM@example.com", "victim@EXAMPLE.com"].enumerated() {
            let response = await server.client(remoteAddress: "203.0.113.\(index)").send(
                .post, "/api/v1/auth/login", json: #"{"email":"\#(spelling)","password":"guess-guess"}"#)
            #expect(response.status == 401)
        }
        let refused = await server.client(remoteAddress: "203.0.113.200").send(
            .post, "/api/v1/auth/login", json: #"{"email":"victim@example.com","password":"guess-guess"}"#)
        #expect(refused.status == 429)
        #expect(refused.headers["Retry-After"] != nil)
    }
}

import CallCoachCore
import CallCoachCrypto
import CallCoachHTTP
@testable import CallCoachServer
@testable import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Synchronization
import Testing

/// Solves a proof-of-work challenge the way a browser would: counts until the hash has enough zero bits.
func solve(_ challenge: String, bits: Int) -> String {
    var counter = 0
    while true {
        let token = "\(challenge):\(counter)"
        if Attestation.leadingZeroBits(SHA256.hash(Array(token.utf8))) >= bits { return token }
        counter += 1
    }
}

/// A fresh, solved attestation token from the server.
func attestationToken(_ client: TestClient) async throws -> String {
    let response = await client.send(.post, "/api/v1/public/challenge")
    #expect(response.status == 201)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    let challenge = try #require(object["challenge"] as? String)
    return solve(challenge, bits: try #require(object["difficulty"] as? Int))
}

let demoBody = #"{"name":"Ada Lovelace","workEmail":"ada@example.com","company":"Engines Ltd","message":"Hello"}"#

/// A stand-in for the Turnstile and reCAPTCHA siteverify endpoints, on loopback.
final class SiteVerify: Sendable {
    final class Recorder: Sendable {
        let forms = Mutex<[String]>([])
    }
    let server: HTTPServer
    let recorder = Recorder()

    var calls: [String] { recorder.forms.withLock { $0 } }

    init() throws {
        var router = Router()
        let recorder = self.recorder
        router.add(.post, "/siteverify") { request in
            let form = String(decoding: try await request.body.collect(upTo: 65536), as: UTF8.self)
            recorder.forms.withLock { $0.append(form) }
            let good = form.contains("secret=s3cret%2Bkey") && form.contains("response=good-token")
            return Response(
                status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"success":\#(good)}"#.utf8))
        }
        server = try HTTPServer(
            application: HTTPApplication(router: router, logger: Logger(sink: MemorySink())),
            configuration: ListenerConfiguration(host: "127.0.0.1", port: 0))
    }
}

@Suite struct AttestationTests {
    @Test func proofOfWorkIsCheckedAndSpentOnce() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let server = try await LiveServer.start(clock: clock) { $0.attestationDifficulty = 8 }
        let client = server.client()
        let token = try await attestationToken(client)
        let header: HTTPHeaders = [Attestation.header: token]
        #expect(await client.send(.post, "/api/v1/public/demo-requests", json: demoBody, headers: header).status == 202)
        let replay = await client.send(.post, "/api/v1/public/demo-requests", json: demoBody, headers: header)
        #expect(replay.status == 403, "a token is accepted once only")
        #expect(await client.send(.post, "/api/v1/public/demo-requests", json: demoBody).status == 403, "missing")

        let challenge = String(token.prefix { $0 != ":" })
        var parts = challenge.split(separator: ".").map(String.init)
        parts[1] = "1"  // claim an easier difficulty under the same signature
        let forged = solve(parts.joined(separator: "."), bits: 1)
        #expect(
            await client.send(
                .post, "/api/v1/public/demo-requests", json: demoBody, headers: [Attestation.header: forged]
            )
            .status == 403)
        let fresh = try await attestationToken(client)
        var unsolved = fresh
        while Attestation.leadingZeroBits(SHA256.hash(Array(unsolved.utf8))) >= 8 { unsolved += "0" }
        #expect(
            await client.send(
                .post, "/api/v1/public/demo-requests", json: demoBody, headers: [Attestation.header: unsolved]
            )
            .status == 403, "not enough work")
        clock.advance(by: 301)
        #expect(
            await client.send(
                .post, "/api/v1/public/demo-requests", json: demoBody, headers: [Attestation.header: fresh]
            )
            .status == 403, "expired")
        for garbage in ["", "x", "a:b:c", "1.2.3.4:5", String(repeating: "a", count: 5000)] {
            let response = await client.send(
                .post, "/api/v1/public/demo-requests", json: demoBody, headers: [Attestation.header: garbage])
            #expect(response.status == 403 || response.status == 431, "\(garbage.prefix(10))")
        }
        #expect(server.runtime.metrics.value(of: "callcoach_attestation_rejections_total") >= 6)
        #expect(server.logs.lines.contains { $0.contains("attestation.rejected") })
        let stored = try await server.runtime.database.read(.platform) { try DemoRequests.recent(limit: 10, $0) }
        #expect(stored.count == 1)
    }

    @Test(arguments: [AttestationProvider.turnstile, .recaptcha])
    func hostedProvidersAreAskedServerSide(provider: AttestationProvider) async throws {
        let verify = try SiteVerify()
        let server = try await LiveServer.start {
            $0.attestationProvider = provider
            $0.attestationSecret = Secret("s3cret+key")
            $0.attestationVerifyURL = "http://127.0.0.1:\(verify.server.port)/siteverify"
        }
        let client = server.client(remoteAddress: "198.51.100.23")
        let challenge = await client.send(.post, "/api/v1/public/challenge")
        #expect(challenge.bodyText.contains(provider.rawValue))
        let good: HTTPHeaders = [Attestation.header: "good-token"]
        #expect(await client.send(.post, "/api/v1/public/demo-requests", json: demoBody, headers: good).status == 202)
        #expect(await client.send(.post, "/api/v1/public/demo-requests", json: demoBody, headers: good).status == 403)
        let bad: HTTPHeaders = [Attestation.header: "bad-token"]
        #expect(await client.send(.post, "/api/v1/public/demo-requests", json: demoBody, headers: bad).status == 403)
        #expect(!verify.calls.isEmpty && verify.calls.allSatisfy { $0.contains("remoteip=198.51.100.23") })
        verify.server.shutdown(grace: .zero)
        let down: HTTPHeaders = [Attestation.header: "good-token-2"]
        let refused = await client.send(.post, "/api/v1/public/demo-requests", json: demoBody, headers: down)
        #expect(refused.status == 503, "an unreachable provider refuses")
        server.stop()
    }

    @Test func aHostedProviderNeedsItsSecret() async throws {
        await #expect(throws: ConfigurationError.self) {
            _ = try await LiveServer.start { $0.attestationProvider = .turnstile }
        }
    }
}

@Suite struct PublicInputTests {
    @Test(arguments: [
        (#"{"name":"A","workEmail":"a@example.com","company":"C","extra":1}"#, "does not accept"),
        (#"{"name":"A","workEmail":"a@example.com"}"#, "\"company\" is required"),
        (#"{"name":7,"workEmail":"a@example.com","company":"C"}"#, "\"name\" must be text"),
        (#"{"name":"  ","workEmail":"a@example.com","company":"C"}"#, "\"name\" must be text"),
        (#"{"name":"A","workEmail":"not-an-address","company":"C"}"#, "\"workEmail\" must be an e-mail"),
        (#"{"name":"A","workEmail":"a@example.com","company":"C","message":true}"#, "\"message\" must be text"),
        (#"{"name":"A\u0000B","workEmail":"a@example.com","company":"C"}"#, "\"name\" must be text"),
        ("[1,2]", "one JSON object"),
        ("{", "one JSON object"),
    ])
    func unknownMissingAndMistypedFieldsAreRefused(body: String, reason: String) async throws {
        let server = try await LiveServer.start { $0.attestationDifficulty = 4 }
        let client = server.client()
        let token = try await attestationToken(client)
        let response = await client.send(
            .post, "/api/v1/public/demo-requests", json: body, headers: [Attestation.header: token])
        #expect(response.status == 400)
        let problem = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect((problem?["detail"] as? String)?.contains(reason) == true, "\(response.bodyText)")
        #expect(!response.bodyText.contains("extra"), "the client's own field names are not echoed")
        let long = #"{"name":"\#(String(repeating: "n", count: 201))","workEmail":"a@example.com","company":"C"}"#
        #expect(
            await client.send(.post, "/api/v1/public/demo-requests", json: long, headers: [Attestation.header: token])
                .status == 400)
        let stored = try await server.runtime.database.read(.platform) { try DemoRequests.recent(limit: 10, $0) }
        #expect(stored.isEmpty)
    }

    @Test func demoRequestsAreLimitedAndReachThePlatformOperator() async throws {
        let server = try await LiveServer.start { $0.attestationDifficulty = 4 }
        let client = server.client(remoteAddress: "198.51.100.9")
        for _ in 0..<10 {
            let token = try await attestationToken(client)
            let response = await client.send(
                .post, "/api/v1/public/demo-requests", json: demoBody, headers: [Attestation.header: token])
            #expect(response.status == 202)
        }
        let token = try await attestationToken(client)
        let limited = await client.send(
            .post, "/api/v1/public/demo-requests", json: demoBody, headers: [Attestation.header: token])
        #expect(limited.status == 429)
        #expect(limited.headers["RateLimit-Limit"] == "10")
        let operatorToken = try await platformOperatorToken(server)
        let listed = await server.client().get("/api/v1/platform/demo-requests", headers: bearer(operatorToken))
        #expect(listed.status == 200)
        #expect(listed.bodyText.components(separatedBy: "ada@example.com").count == 11)
        #expect(await client.get("/api/v1/platform/demo-requests").status == 401)
    }

    @Test func policyReportsAreRecordedReducedAndBounded() async throws {
        // A fixed clock: 61 reports on a loaded machine could otherwise straddle a window's end.
        let server = try await LiveServer.start(clock: TestClock(Date(timeIntervalSince1970: 1_800_000_020)))
        let client = server.client()
        let legacy = #"""
            {"csp-report":{"document-uri":"https://calls.example.com/calls/42?token=secret","violated-directive":"script-src-elem","effective-directive":"script-src-elem","blocked-uri":"https://evil.example:8443/x.js?q=1","script-sample":"alert(me@example.com)"}}
            """#
        let modern = #"""
            [{"type":"csp-violation","url":"https://calls.example.com/","body":{"documentURL":"https://calls.example.com/dashboard","effectiveDirective":"style-src-attr","blockedURL":"inline"}}]
            """#
        var headers: HTTPHeaders = ["Content-Type": "application/csp-report"]
        #expect(
            await client.send(.post, EdgeRoutes.reportPath, headers: headers, body: Array(legacy.utf8)).status == 204)
        headers.set("Content-Type", "application/reports+json")
        #expect(
            await client.send(.post, EdgeRoutes.reportPath, headers: headers, body: Array(modern.utf8)).status == 204)
        #expect(await client.send(.post, EdgeRoutes.reportPath, headers: headers, body: Array("{}".utf8)).status == 400)
        let huge = [UInt8](repeating: 0x20, count: 17 * 1024)
        #expect(await client.send(.post, EdgeRoutes.reportPath, headers: headers, body: huge).status == 413)
        let reports = try await server.runtime.database.read(.platform) { try PolicyViolations.recent(limit: 10, $0) }
        #expect(Set(reports.map(\.documentPath)) == ["/calls/42", "/dashboard"])
        #expect(Set(reports.map(\.blocked)) == ["https://evil.example:8443", "inline"])
        #expect(Set(reports.map(\.directive)) == ["script-src-elem", "style-src-attr"])
        #expect(server.runtime.metrics.value(of: "callcoach_csp_violations_total") == 2)
        let reporter = server.client(remoteAddress: "192.0.2.200")
        var statuses: [Int] = []
        for _ in 0..<61 {
            statuses.append(
                await reporter.send(.post, EdgeRoutes.reportPath, headers: headers, body: Array(modern.utf8)).status)
        }
        #expect(statuses.last == 429, "reports are rate-limited")
    }
}

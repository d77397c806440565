import CallCoachHTTP
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Synchronization
import Testing

@Suite struct ApplicationTests {
    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "SELECT * FROM users WHERE password = 'hunter2' at /srv/callcoach/Store.swift:42" }
    }

    /// Hands out fixed-size chunks without ever declaring a length.
    final class Chunks: BodySource {
        let remaining: Mutex<Int>
        let size: Int

        init(count: Int, size: Int) {
            remaining = Mutex(count)
            self.size = size
        }

        func nextChunk() async throws -> [UInt8]? {
            remaining.withLock { remaining in
                guard remaining > 0 else { return nil }
                remaining -= 1
                return [UInt8](repeating: 7, count: size)
            }
        }
    }

    static func application(logs: MemorySink = MemorySink()) -> HTTPApplication {
        makeApplication(limits: RequestLimits(maxTargetBytes: 100, maxHeadBytes: 400), logs: logs) { router in
            router.add(.get, "/ok") { _ in .text("ok") }
            router.add(.get, "/fails") { _ in throw SecretFailure() }
            router.add(.get, "/teapot") { _ in throw HTTPError(418, detail: "Short and stout.") }
            router.add(.post, "/small", bodyLimit: 10) { request in
                .text(String(try await request.body.collect().count))
            }
            router.add(.post, "/count", bodyLimit: 1000) { request in
                var total = 0
                for try await chunk in request.body { total += chunk.count }
                return .text(String(total))
            }
        }
    }

    let client = TestClient(ApplicationTests.application())

    @Test func everyErrorIsAProblemDocumentWithTheRequestID() async throws {
        for target in ["/missing", "/teapot", "/fails"] {
            let response = await client.get(target)
            #expect(response.headers["Content-Type"] == "application/problem+json")
            let document = try problem(response.body)
            #expect(document.status == response.status)
            #expect(document.requestId == response.headers["X-Request-Id"])
            #expect(!document.title.isEmpty)
        }
        #expect(try problem(await client.get("/teapot").body).detail == "Short and stout.")
    }

    @Test func unexpectedErrorsRevealNothing() async throws {
        let logs = MemorySink()
        let response = await TestClient(Self.application(logs: logs)).get("/fails")
        #expect(response.status == 500)
        for leak in ["SELECT", "hunter2", "/srv", "Store.swift", "SecretFailure"] {
            #expect(!response.bodyText.contains(leak))
        }
        let logged = logs.lines.joined()
        #expect(logged.contains("http.handler.failed"))
        #expect(!logged.contains("hunter2"))
    }

    @Test func requestIDIsEchoedWhenWellFormedAndReplacedOtherwise() async {
        let echoed = await client.get("/ok", headers: ["X-Request-Id": "abc-123"])
        #expect(echoed.headers["X-Request-Id"] == "abc-123")
        for bad in ["a@b.example", "10.0.0.1", String(repeating: "a", count: 65), "x y"] {
            let replaced = await client.get("/ok", headers: ["X-Request-Id": bad]).headers["X-Request-Id"]
            #expect(replaced != bad)
            #expect(replaced?.count == 32)
        }
    }

    @Test func httpsResponsesCarryHSTSAndPlainOnesDoNot() async {
        #expect(
            await client.get("/missing").headers["Strict-Transport-Security"] == HTTPApplication.strictTransportSecurity
        )
        var plain = client
        plain.scheme = "http"
        #expect(await plain.get("/ok").headers["Strict-Transport-Security"] == nil)
    }

    @Test func declaredBodiesOverTheRouteLimitAre413() async throws {
        #expect(await client.send(.post, "/small", body: Array(repeating: 1, count: 10)).bodyText == "10")
        let response = await client.send(.post, "/small", body: Array(repeating: 1, count: 11))
        #expect(response.status == 413)
        #expect(try problem(response.body).status == 413)
    }

    @Test func streamedBodiesOverTheRouteLimitAre413() async {
        #expect(await client.send(.post, "/count", streaming: Chunks(count: 10, size: 100)).bodyText == "1000")
        #expect(await client.send(.post, "/count", streaming: Chunks(count: 11, size: 100)).status == 413)
        #expect(await client.send(.post, "/small", streaming: Chunks(count: 2, size: 6)).status == 413)
    }

    @Test func longTargetsAre414AndLargeHeadsAre431() async {
        #expect(await client.get("/ok?" + String(repeating: "a", count: 100)).status == 414)
        #expect(await client.get("/ok", headers: ["X-Filler": String(repeating: "b", count: 400)]).status == 431)
        #expect(await client.get("/ok", headers: ["X-Filler": "b"]).status == 200)
    }

    @Test func middlewareRunsOutermostFirstAndCanAnswerEarly() async {
        let order = Mutex<[String]>([])
        func step(_ name: String) -> ClosureMiddleware {
            ClosureMiddleware { request, next in
                order.withLock { $0.append(name) }
                if request.headers["X-Stop"] == name { return .text("stopped by \(name)", status: 403) }
                var response = try await next(request)
                response.headers.add("X-Trail", name)
                return response
            }
        }
        let application = makeApplication(middleware: [step("outer"), step("inner")]) { router in
            router.add(.get, "/") { _ in .text("handler") }
        }
        let client = TestClient(application)
        let response = await client.get("/")
        #expect(order.withLock { $0 } == ["outer", "inner"])
        #expect(response.headers.values("X-Trail") == ["inner", "outer"])
        let stopped = await client.get("/", headers: ["X-Stop": "outer"])
        #expect(stopped.status == 403)
        #expect(order.withLock { $0 } == ["outer", "inner", "outer"])
    }

    @Test func accessLogNamesTheRoutePatternNotThePath() async throws {
        let logs = MemorySink()
        let application = makeApplication(logs: logs) { router in router.add(.get, "/calls/{id}") { _ in .text("x") } }
        _ = await TestClient(application).get("/calls/secret-call-42")
        let line = try #require(logs.lines.last { $0.contains("\"event\":\"http.request\"") })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(fields["route"] as? String == "/calls/{id}")
        #expect(fields["status"] as? Int == 200)
        #expect(fields["method"] as? String == "GET")
        #expect(fields["bytes"] as? Int == 1)
        #expect(fields["duration_ms"] != nil)
        #expect(fields["time"] != nil && fields["level"] as? String == "info")
        #expect(!line.contains("secret-call-42"))
    }

    @Test func metricsCountByRouteAndStatus() async {
        let application = makeApplication { router in router.add(.get, "/calls/{id}") { _ in .text("x") } }
        let client = TestClient(application)
        _ = await client.get("/calls/1")
        _ = await client.get("/calls/2")
        _ = await client.get("/nothing")
        let text = application.metrics.exposition()
        #expect(text.contains("callcoach_http_requests_total{method=\"GET\",route=\"/calls/{id}\",status=\"200\"} 2"))
        #expect(text.contains("callcoach_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"))
        #expect(
            text.contains(
                "callcoach_http_request_duration_seconds_bucket{method=\"GET\",route=\"/calls/{id}\",status=\"200\",le=\"+Inf\"} 2"
            ))
    }
}

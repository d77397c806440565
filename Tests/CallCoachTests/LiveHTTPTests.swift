import CallCoachHTTP
import CallCoachTelemetry
import CallCoachTesting
import COpenSSL
import Foundation
import Synchronization
import Testing

@Suite struct LiveHTTPTests {
    static func application(logs: MemorySink = MemorySink()) -> HTTPApplication {
        makeApplication(logs: logs) { router in
            router.add(.get, "/hello") { _ in .text("hello") }
            router.add(.get, "/items/{name}") { request in .text(try request.parameter("name")) }
            router.add(.post, "/echo", bodyLimit: 1024) { request in
                Response(status: 200, body: try await request.body.collect())
            }
            router.add(.post, "/upload", bodyLimit: 64 << 20) { request in
                var total = 0
                var chunks = 0
                var checksum: UInt64 = 0
                for try await chunk in request.body {
                    total += chunk.count
                    chunks += 1
                    for byte in chunk { checksum = checksum &+ UInt64(byte) }
                }
                return .text("\(total) \(checksum) \(chunks)")
            }
            router.add(.post, "/slow-upload", bodyLimit: 64 << 20) { request in
                var total = 0
                for try await chunk in request.body {
                    total += chunk.count
                    try await Task.sleep(for: .milliseconds(2))
                }
                return .text(String(total))
            }
        }
    }

    @Test func tls12And13AreAcceptedAndOlderVersionsRefused() async throws {
        let server = try startServer(Self.application())
        // A control server on GnuTLS's own defaults, which still speak TLS 1.0 and 1.1: it proves
        // the client really offers the old versions, so a refusal below is the server's doing.
        var control = ListenerConfiguration(host: "127.0.0.1", port: 0, tls: try testIdentity())
        control.tlsPriorities = nil
        let controlServer = try HTTPServer(application: Self.application(), configuration: control)
        let (port, controlPort) = (server.port, controlServer.port)
        try await blocking {
            for (version, name) in [(TLS1_2_VERSION, "TLSv1.2"), (TLS1_3_VERSION, "TLSv1.3")] {
                let client = try WireClient(port: port, tls: .only(version))
                #expect(client.tlsVersion == name)
                let response = try client.request("GET", "/hello")
                #expect(response.status == 200)
                #expect(response.header("Strict-Transport-Security") == HTTPApplication.strictTransportSecurity)
            }
            for (version, name) in [(TLS1_VERSION, "TLSv1"), (TLS1_1_VERSION, "TLSv1.1")] {
                #expect(try WireClient(port: controlPort, tls: .only(version)).tlsVersion == name)
                #expect(throws: WireClient.Failure.self) { try WireClient(port: port, tls: .only(version)) }
            }
        }
    }

    @Test func plainHTTPOnTheTLSPortGetsNoPage() async throws {
        let server = try startServer(Self.application())
        let port = server.port
        let answer = try await blocking {
            let client = try WireClient(port: port)
            try client.write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            return (try? client.readToEnd()) ?? []
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(!text.contains("HTTP/1."))
        #expect(!text.contains("hello"))
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let server = try startServer(Self.application())
        let port = server.port
        try await blocking {
            let client = try WireClient(port: port, tls: .modern)
            let statuses = try ["/hello", "/missing", "/items/x", "/hello"].map { try client.request("GET", $0).status }
            #expect(statuses == [200, 404, 200, 200])
            let echoed = try client.request("POST", "/echo", body: Array("ping".utf8))
            #expect(echoed.text == "ping")
            #expect(echoed.header("Connection")?.lowercased() != "close")
            let head = try client.request("HEAD", "/hello")
            #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "5")
            #expect(try client.request("GET", "/hello").text == "hello")
        }
    }

    @Test func a50MegabyteBodyStreamsThroughBoundedMemory() async throws {
        let server = try startServer(Self.application())
        let port = server.port
        let size = 50 << 20
        let response = try await blocking {
            let client = try WireClient(port: port, tls: .modern, timeoutSeconds: 60)
            try client.write("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(size)\r\n\r\n")
            let chunk = [UInt8](repeating: 3, count: 64 << 10)
            for _ in 0..<(size / chunk.count) { try client.write(chunk) }
            return try client.readResponse()
        }
        #expect(response.status == 200)
        let fields = response.text.split(separator: " ").compactMap { Int($0) }
        #expect(fields.count == 3 && fields[0] == size && fields[1] == size * 3)
        // The handler saw the body as a stream of pieces, never as one 50 MiB block...
        #expect(fields.count == 3 && fields[2] > 100, "the body arrived in \(fields.last ?? 0) chunks")
        // ...and backpressure kept what waited in memory near the 1 MiB high-water mark.
        let peak = server.bodyStatistics.peakBufferedBytes
        #expect(peak <= (1 << 20) + (128 << 10), "peak buffered body: \(peak) bytes")
    }

    @Test func aSlowHandlerHoldsTheClientBackAtTheHighWaterMark() async throws {
        let server = try startServer(Self.application())
        let port = server.port
        let size = 8 << 20
        let response = try await blocking {
            let client = try WireClient(port: port, tls: .modern, timeoutSeconds: 60)
            try client.write("POST /slow-upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(size)\r\n\r\n")
            let chunk = [UInt8](repeating: 1, count: 256 << 10)
            for _ in 0..<(size / chunk.count) { try client.write(chunk) }
            return try client.readResponse()
        }
        #expect(response.text == String(size))
        let peak = server.bodyStatistics.peakBufferedBytes
        #expect(peak >= 512 << 10, "the buffer filled while the handler slept: \(peak) bytes")
        #expect(peak <= (1 << 20) + (128 << 10), "and stopped near the high-water mark: \(peak) bytes")
    }

    @Test func limitsAreEnforcedOnTheWire() async throws {
        let server = try startServer(Self.application())
        let port = server.port
        try await blocking {
            let client = try WireClient(port: port, tls: .modern)
            let tooLarge = try client.request("POST", "/echo", headers: [("Content-Length", "2000000")])
            #expect(tooLarge.status == 413)
            #expect(tooLarge.header("Content-Type") == "application/problem+json")

            let uri = try WireClient(port: port, tls: .modern).request(
                "GET", "/hello?" + String(repeating: "q", count: 9000))
            #expect(uri.status == 414)
            let head = try WireClient(port: port, tls: .modern)
                .request("GET", "/hello", headers: [("X-Filler", String(repeating: "h", count: 20_000))])
            #expect(head.status == 431)
            let path = try WireClient(port: port, tls: .modern).request("GET", "/items/%FF%FE")
            #expect(path.status == 400)
            let method = try WireClient(port: port, tls: .modern).request("BREW", "/hello")
            #expect(method.status == 501)
        }
    }

    @Test func malformedAndTruncatedRequestsNeverHurtOtherClients() async throws {
        let logs = MemorySink()
        let server = try startServer(Self.application(logs: logs))
        let port = server.port
        try await blocking {
            let garbage = try WireClient(port: port, tls: .modern)
            try garbage.write("THIS IS NOT HTTP\r\n\r\n")
            let answer = String(decoding: (try? garbage.readToEnd()) ?? [], as: UTF8.self)
            #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 4"))

            let truncated = try WireClient(port: port, tls: .modern)
            try truncated.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
            truncated.close()

            let oversized = try WireClient(port: port, tls: .modern)
            // The server may close the connection before all of it is written.
            try? oversized.write(
                "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "z", count: 300_000))\r\n\r\n")
            let refused = (try? oversized.readResponse().status) ?? 0
            #expect(refused == 0 || (400..<500).contains(refused))

            #expect(try WireClient(port: port, tls: .modern).request("GET", "/hello").status == 200)
        }
        #expect(logs.lines.contains { $0.contains("\"event\":\"http.connection.error\"") })
    }

    @Test func aClientStallingMidBodyIsDroppedWithoutSlowingOthers() async throws {
        let server = try startServer(Self.application(), connectionTimeout: 1)
        let port = server.port
        try await blocking {
            let stalled = try WireClient(port: port, tls: .modern)
            try stalled.write("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly-ten!!")
            let started = Date()
            #expect(try WireClient(port: port, tls: .modern).request("GET", "/hello").status == 200)
            #expect(Date().timeIntervalSince(started) < 1)
            let closedAfter = (try? stalled.readToEnd()).map { _ in Date().timeIntervalSince(started) }
            #expect(closedAfter != nil)
            #expect((closedAfter ?? 99) < 8)
        }
    }

    @Test func gracefulShutdownFinishesInFlightRequestsAndRefusesNewOnes() async throws {
        let release = Mutex(false)
        let marker = UUID().uuidString
        let application = makeApplication { router in
            router.add(.get, "/slow") { _ in
                while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                return .text("finished")
            }
            router.add(.get, "/marker") { _ in .text(marker) }
        }
        let server = try startServer(application)
        let port = server.port
        async let slow = blocking { try WireClient(port: port, tls: .modern).request("GET", "/slow") }
        while server.requestsInFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        async let stopped: Void = blocking { server.shutdown(grace: .seconds(10)) }
        while server.acceptsConnections { try await Task.sleep(for: .milliseconds(5)) }
        // The port is closed; should another test's server have taken it meanwhile, it is not this one.
        let answer = try? await blocking { try WireClient(port: port, tls: .modern).request("GET", "/marker").text }
        #expect(answer != marker)
        release.withLock { $0 = true }
        let response = try await slow
        #expect(response.status == 200)
        #expect(response.text == "finished")
        try await stopped
    }

    @Test func requestsOutlivingTheShutdownDeadlineAre503() async throws {
        let application = makeApplication { router in
            router.add(.get, "/stuck") { _ in
                try await Task.sleep(for: .seconds(30))
                return .text("too late")
            }
        }
        let server = try startServer(application)
        let port = server.port
        async let stuck = blocking { try WireClient(port: port, tls: .modern).request("GET", "/stuck") }
        while server.requestsInFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let started = ContinuousClock.now
        try await blocking { server.shutdown(grace: .milliseconds(300)) }
        #expect(started.duration(to: .now) < .seconds(5))
        let response = try await stuck
        #expect(response.status == 503)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.header("Strict-Transport-Security") == HTTPApplication.strictTransportSecurity)
        #expect(response.header("X-Request-Id") != nil)
    }
}

import CallCoachHTTP
import CallCoachServer
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

@Suite struct LoggingTests {
    @Test func everyLineIsJSONWithTimeLevelAndEvent() throws {
        let sink = MemorySink()
        let logger = Logger(level: .debug, sink: sink).with(.companyID, .string("company-1"))
        logger.info("call.received", "a \"quoted\" message\nwith a newline", [.callID: .string("c1"), .count: .int(3)])
        logger.trace("ignored.below.level")
        #expect(sink.lines.count == 1)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as? [String: Any])
        #expect(fields["event"] as? String == "call.received")
        #expect(fields["level"] as? String == "info")
        #expect(fields["company_id"] as? String == "company-1")
        #expect(fields["call_id"] as? String == "c1")
        #expect(fields["count"] as? Int == 3)
        #expect((fields["message"] as? String)?.contains("\n") == true)
        #expect((fields["time"] as? String)?.hasSuffix("Z") == true)
    }

    /// Canary values sent everywhere a client can put them must not reach any log line.
    @Test func noPersonalDataOrSecretReachesTheLog() async throws {
        let email = "canary.person@example.com"
        let address = "203.0.113.77"
        let token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ"
        let password = "Canary-Password-42!"
        let transcript = "my card number is four one one one"
        let server = try await LiveServer.start()
        let port = server.httpsPort
        let canaries = [email, address, token, password, transcript]
        try await blocking {
            let headers = [
                ("Authorization", "Bearer \(token)"), ("X-Forwarded-For", address), ("X-Real-IP", address),
                ("Cookie", "session=\(token)"), ("User-Agent", email), ("X-Request-Id", address),
            ]
            let body = Array("{\"email\":\"\(email)\",\"password\":\"\(password)\",\"text\":\"\(transcript)\"}".utf8)
            let attempts: [(String, String, [UInt8])] = [
                ("GET", "/healthz", []), ("GET", "/\(email)", []), ("GET", "/\(address)", []),
                ("GET", "/healthz?email=\(email)&password=\(password)", []), ("POST", "/healthz", body),
                (address, "/healthz", []), ("GET", "/\(email)" + String(repeating: "x", count: 9000), []),
            ]
            for (method, target, body) in attempts {
                // Some of these are refused with the connection closed; what matters is the log.
                _ = try? WireClient(port: port, tls: .modern).request(method, target, headers: headers, body: body)
            }
        }
        server.stop()
        let logged = server.logs.lines.joined(separator: "\n")
        #expect(logged.contains("http.request"))
        for canary in canaries {
            #expect(!logged.contains(canary), "a log line contains \(canary)")
        }
    }
}

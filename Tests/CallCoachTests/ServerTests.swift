import CallCoachCrypto
import CallCoachHTTP
import CallCoachServer
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

@Suite struct ServerTests {
    @Test func healthReadinessAndHSTSOnTheHTTPSPort() async throws {
        let server = try await LiveServer.start()
        let port = server.httpsPort
        let (health, ready, metrics) = try await blocking {
            let client = try WireClient(port: port, tls: .modern)
            return (
                try client.request("GET", "/healthz"), try client.request("GET", "/readyz"),
                try client.request("GET", "/metrics")
            )
        }
        #expect(health.status == 200 && health.text == "{\"status\":\"ok\"}")
        #expect(health.header("Strict-Transport-Security") == "max-age=63072000; includeSubDomains; preload")
        #expect(ready.status == 200)
        #expect(metrics.status == 404, "metrics are closed on the public port without a token")
    }

    @Test func readinessFailsWhenTheDatabaseIsGone() async throws {
        let server = try await LiveServer.start()
        server.runtime.database.close()
        let port = server.httpsPort
        let ready = try await blocking { try WireClient(port: port, tls: .modern).request("GET", "/readyz") }
        #expect(ready.status == 503)
        #expect(ready.header("Content-Type") == "application/problem+json")
    }

    @Test func metricsAreOpenOnTheLoopbackAdminPortAndBehindATokenPublicly() async throws {
        let token = "metrics-token-0123456789"
        let server = try await LiveServer.start { $0.metricsToken = Secret(token) }
        let (port, adminPort) = (server.httpsPort, try #require(server.adminPort))
        try await blocking {
            _ = try WireClient(port: port, tls: .modern).request("GET", "/healthz")
            let admin = try WireClient(port: adminPort).request("GET", "/metrics")
            #expect(admin.status == 200)
            #expect(admin.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(
                admin.text.contains("callcoach_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"))
            #expect(try WireClient(port: adminPort).request("GET", "/healthz").status == 200)

            let client = try WireClient(port: port, tls: .modern)
            #expect(try client.request("GET", "/metrics").status == 404)
            #expect(
                try client.request("GET", "/metrics", headers: [("Authorization", "Bearer wrong-token-0123456789")])
                    .status == 404)
            #expect(
                try client.request("GET", "/metrics", headers: [("Authorization", "Bearer \(token)")]).status == 200)
        }
    }

    @Test func theAdminListenerIsBoundToLoopbackOnly() async throws {
        let server = try await LiveServer.start { $0.host = "0.0.0.0" }
        let adminPort = try #require(server.adminPort)
        // Read to the end: /proc files report no size, and a one-page read would cut the table short.
        let table = try #require(FileHandle(forReadingAtPath: "/proc/net/tcp")).readDataToEndOfFile()
        let output = String(decoding: table, as: UTF8.self)
        let hexPort = String(format: "%04X", adminPort)
        #expect(output.contains("0100007F:\(hexPort)"))
        #expect(!output.contains("00000000:\(hexPort)"))
    }

    @Test func thePlainPortOnlyRedirectsToHTTPS() async throws {
        let server = try await LiveServer.start { $0.redirectPort = 0 }
        let (redirectPort, httpsPort) = (try #require(server.redirectPort), server.httpsPort)
        try await blocking {
            let client = try WireClient(port: redirectPort)
            let response = try client.request("GET", "/healthz?x=1", headers: [("Host", "calls.example.com:80")])
            #expect(response.status == 308)
            #expect(response.header("Location") == "https://localhost:\(httpsPort)/healthz?x=1")
            let post = try WireClient(port: redirectPort).request("POST", "/api/v1/anything", body: Array("x".utf8))
            #expect(post.status == 308)
            #expect(post.text.isEmpty)
            let hostile = try WireClient(port: redirectPort).request("GET", "/", headers: [("Host", "evil.example/@x")])
            #expect(hostile.header("Location") == "https://localhost:\(httpsPort)/")
        }
    }

    @Test func aPublicHostFixesTheRedirectTarget() async throws {
        let server = try await LiveServer.start {
            $0.redirectPort = 0
            $0.publicHost = "calls.example.com"
        }
        let (redirectPort, httpsPort) = (try #require(server.redirectPort), server.httpsPort)
        let location = try await blocking {
            try WireClient(port: redirectPort).request("GET", "/a%20b", headers: [("Host", "attacker.example")])
                .header("Location")
        }
        #expect(location == "https://calls.example.com:\(httpsPort)/a%20b")
    }

    @Test func aDevelopmentCertificateAndMasterKeyAreGeneratedOnceWithPrivateModes() async throws {
        let server = try await LiveServer.start()
        let directory = server.directory.path
        let certificate = try String(contentsOfFile: directory + "/tls/development-cert.pem", encoding: .utf8)
        let fingerprint = try DevelopmentCertificate.fingerprint(ofPEM: certificate)
        #expect(server.logs.lines.contains { $0.contains("tls.development_certificate") && $0.contains(fingerprint) })
        for file in ["/master.key", "/tls/development-key.pem"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let key = try String(contentsOfFile: directory + "/master.key", encoding: .utf8)
        server.stop()
        let again = try await ServerRuntime.start(
            {
                var configuration = server.runtime.configuration; configuration.port = 0; configuration.adminPort = nil;
                return configuration
            }(),
            logger: .init(sink: server.logs))
        again.stop()
        #expect(try String(contentsOfFile: directory + "/master.key", encoding: .utf8) == key)
        #expect(try String(contentsOfFile: directory + "/tls/development-cert.pem", encoding: .utf8) == certificate)
    }

    @Test func productionRefusesToStartWithoutSecrets() async throws {
        let directory = try TemporaryDirectory()
        var configuration = Configuration()
        configuration.dataDirectory = directory.path
        configuration.port = 0
        configuration.adminPort = nil
        configuration.production = true
        await #expect(throws: ConfigurationError.self) {
            try await ServerRuntime.start(configuration, logger: .init(sink: MemorySink()))
        }
        configuration.masterKey = Secret(Data(SecureRandom.bytes(32)).base64EncodedString())
        await #expect(throws: ConfigurationError.self) {
            try await ServerRuntime.start(configuration, logger: .init(sink: MemorySink()))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/master.key"))
    }
}

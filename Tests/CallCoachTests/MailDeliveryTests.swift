import CallCoachCrypto
import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

/// Delivery through a real SMTP server (Python's aiosmtpd) that requires STARTTLS and AUTH.
@Suite(.serialized) struct MailDeliveryTests {
    final class SMTPServer {
        let process = Process()
        let input = Pipe()
        let directory: TemporaryDirectory
        let port: UInt16
        let certificateFile: String

        init() throws {
            directory = try TemporaryDirectory()
            let certificate = try DevelopmentCertificate.generate()
            certificateFile = directory.file("cert.pem")
            try certificate.certificatePEM.write(toFile: certificateFile, atomically: true, encoding: .utf8)
            try certificate.privateKeyPEM.write(toFile: directory.file("key.pem"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory.file("mail"), withIntermediateDirectories: true)
            port = try freeLoopbackPort()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", packageRoot + "/scripts/smtp-test-server.py", String(port), certificateFile,
                directory.file("key.pem"), directory.file("mail"), "mailer", "mail-password-123",
            ]
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let ready = output.fileHandleForReading.availableData
            guard String(decoding: ready, as: UTF8.self).contains("ready") else {
                throw CocoaError(.fileReadUnknown)
            }
        }

        var messages: [String] {
            let folder = directory.file("mail")
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().compactMap {
                try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8)
            }
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    func transport(_ smtp: SMTPServer, password: String = "mail-password-123") throws -> SMTPTransport {
        try SMTPTransport(
            url: "smtp://localhost:\(smtp.port)", username: "mailer", password: password, hostName: "callcoach-test",
            caFile: smtp.certificateFile)
    }

    @Test func aResetMailTravelsThroughSTARTTLSAndAuth() async throws {
        let smtp = try SMTPServer()
        defer { smtp.stop() }
        let server = try await LiveServer.start {
            $0.smtpURL = "smtp://localhost:\(smtp.port)"
            $0.smtpUsername = "mailer"
            $0.smtpPassword = Secret("mail-password-123")
            $0.smtpCAFile = smtp.certificateFile
            $0.mailFrom = "CallCoach <no-reply@callcoach.example>"
        }
        _ = try await server.runtime.identity.createCompany(
            name: "Acme", adminEmail: "admin@example.com", password: IdentityFixture.password)
        let response = await server.client().send(
            .post, "/api/v1/auth/password-reset", json: #"{"email":"admin@example.com"}"#)
        #expect(response.status == 202)
        try await server.deliverMail()
        #expect(smtp.messages.count == 1, "delivered once, by whichever loop claimed it")
        let message = try #require(smtp.messages.first)
        #expect(message.contains("X-Envelope-From: no-reply@callcoach.example"))
        #expect(message.contains("X-Envelope-To: admin@example.com"))
        #expect(message.contains("X-Authenticated: True"))
        #expect(message.contains("X-TLS: True"))
        #expect(message.contains("Subject: Reset your CallCoach password"))
        #expect(message.contains("#token=ccp_"))
        let body = try await server.runtime.database.read { try $0.queryOne("SELECT body, sent_at FROM outbox") }
        #expect(body?["body"] == .text(""), "a sent message keeps no single-use link")
        #expect(body?["sent_at"] != .null)
    }

    @Test func aRefusedLoginIsRetriedNotLost() async throws {
        let smtp = try SMTPServer()
        defer { smtp.stop() }
        let directory = try TemporaryDirectory()
        let database = try await TestDatabase.make(in: directory)
        try await Migrator(logger: .init(sink: MemorySink())).migrate(database)
        try await database.write {
            try Mailer().enqueue(to: "someone@example.com", subject: "Hello", body: "Body.", $0)
        }
        let metrics = Metrics()
        let failing = OutboxDelivery(
            database: database, transport: try transport(smtp, password: "wrong"), sender: "a@callcoach.example",
            logger: .init(sink: MemorySink()), metrics: metrics)
        let now = Date()
        #expect(try await failing.deliverDue(now: now) == 0)
        let row = try #require(
            try await database.read { try $0.queryOne("SELECT attempts, last_error, next_attempt_at FROM outbox") })
        #expect(row["attempts"] == .integer(1))
        #expect(try row.decode("last_error", as: String.self).contains("AUTH"))
        #expect(try row.decode("next_attempt_at", as: Date.self) > now)
        #expect(smtp.messages.isEmpty)

        let working = OutboxDelivery(
            database: database, transport: try transport(smtp), sender: "a@callcoach.example",
            logger: .init(sink: MemorySink()), metrics: metrics)
        #expect(try await working.deliverDue(now: now) == 0, "not due before its retry time")
        #expect(try await working.deliverDue(now: now.addingTimeInterval(31)) == 1)
        #expect(smtp.messages.count == 1)
        database.close()
    }

    @Test func aServerWithTheWrongCertificateIsNotTrusted() async throws {
        let smtp = try SMTPServer()
        defer { smtp.stop() }
        let other = try TemporaryDirectory()
        try DevelopmentCertificate.generate().certificatePEM.write(
            toFile: other.file("ca.pem"), atomically: true, encoding: .utf8)
        let untrusted = try SMTPTransport(
            url: "smtp://localhost:\(smtp.port)", username: "mailer", password: "mail-password-123",
            hostName: "callcoach-test",
            caFile: other.file("ca.pem"))
        await #expect(throws: MailError.self) {
            try await untrusted.deliver(
                OutboxMessage(id: "m1", recipient: "x@example.com", subject: "s", body: "b"), from: "a@b.example")
        }
        #expect(smtp.messages.isEmpty)
    }
}

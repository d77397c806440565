import CallCoachStore
import CallCoachTelemetry
import Foundation

/// Something that can hand one message to its recipient.
public protocol MailTransport: Sendable {
    func deliver(_ message: OutboxMessage, from sender: String) async throws
}

/// The embedded default: each message becomes an `.eml` file in `DATA/outbox`, mode 0600.
public struct FileTransport: MailTransport {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func deliver(_ message: OutboxMessage, from sender: String) async throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = directory + "/" + message.id + ".eml"
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(MailFormat.render(message, from: sender).utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw MailError("cannot write to the outbox directory") }
    }
}

/// A delivery failure; the text is an operator-facing reason without message contents.
public struct MailError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Delivers the outbox: due messages are sent, failures retried with growing delays, and a
/// message that fails eight times is marked failed, never silently dropped.
public final class OutboxDelivery: Sendable {
    static let maximumAttempts = 8

    let database: any Database
    let transport: any MailTransport
    let sender: String
    let logger: Logger
    let metrics: Metrics

    public init(database: any Database, transport: any MailTransport, sender: String, logger: Logger, metrics: Metrics)
    {
        self.database = database
        self.transport = transport
        self.sender = sender
        self.logger = logger
        self.metrics = metrics
    }

    /// Delivers everything due now; returns how many messages were sent.
    @discardableResult
    public func deliverDue(now: Date = Date()) async throws -> Int {
        var sent = 0
        while true {
            let batch = try await database.write { try OutboxRecords.claim(now: now, limit: 50, lease: 300, $0) }
            sent += try await deliver(batch, now: now)
            if batch.count < 50 { return sent }
        }
    }

    /// Delivers claimed messages; returns how many went out.
    private func deliver(_ due: [OutboxMessage], now: Date) async throws -> Int {
        var sent = 0
        for message in due {
            do {
                try await transport.deliver(message, from: sender)
                try await database.write { try OutboxRecords.markSent(id: message.id, $0) }
                metrics.increment("callcoach_mail_sent_total")
                sent += 1
            } catch {
                let attempts = message.attempts + 1
                let retryAt =
                    attempts >= Self.maximumAttempts
                    ? nil : now.addingTimeInterval(min(3600, 30 * pow(2, Double(attempts - 1))))
                let reason = (error as? MailError)?.description ?? "delivery failed"
                try await database.write {
                    try OutboxRecords.markFailed(id: message.id, error: reason, retryAt: retryAt, $0)
                }
                metrics.increment("callcoach_mail_failures_total")
                logger.warning("mail.delivery.failed", "an e-mail could not be delivered", [.count: .int(attempts)])
            }
        }
        return sent
    }

    /// Delivers every `interval` until cancelled.
    public func run(interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            do {
                try await deliverDue()
            } catch {
                logger.warning("mail.outbox.unavailable", "the outbox could not be read")
            }
            try? await Task.sleep(for: interval)
        }
    }
}

/// RFC 5322 rendering of an outbox message.
enum MailFormat {
    static func render(_ message: OutboxMessage, from sender: String) -> String {
        let headers = [
            "From: \(clean(sender))", "To: \(clean(message.recipient))", "Subject: \(encodedSubject(message.subject))",
            "Message-ID: <\(message.id)@callcoach>", "Date: \(date())", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
        ]
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
            of: "\n", with: "\r\n")
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    /// Header values lose any line break, so no header can be injected.
    static func clean(_ value: String) -> String {
        value.filter { $0 != "\r" && $0 != "\n" }
    }

    static func encodedSubject(_ subject: String) -> String {
        let clean = clean(subject)
        guard clean.unicodeScalars.contains(where: { !$0.isASCII }) else { return clean }
        return "=?utf-8?B?" + Data(clean.utf8).base64EncodedString() + "?="
    }

    static func date() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: Date())
    }
}

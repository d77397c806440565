import CallCoachCrypto
import CallCoachStore
import Dispatch
import Foundation

/// Delivers mail to an SMTP server: STARTTLS on `smtp://` (required, never skipped) or TLS from
/// the start on `smtps://`, then AUTH PLAIN when a user name is configured.
public struct SMTPTransport: MailTransport {
    let host: String
    let port: UInt16
    let implicitTLS: Bool
    let username: String?
    let password: String?
    let hostName: String
    let caFile: String?

    private static let queue = DispatchQueue(label: "callcoach.smtp")

    public init(url: String, username: String?, password: String?, hostName: String, caFile: String? = nil) throws {
        guard let parsed = URL(string: url), let host = parsed.host, ["smtp", "smtps"].contains(parsed.scheme ?? "")
        else {
            throw ConfigurationError("the SMTP URL must look like smtp://host:587 or smtps://host:465")
        }
        self.host = host
        implicitTLS = parsed.scheme == "smtps"
        port = UInt16(parsed.port ?? (implicitTLS ? 465 : 587))
        self.username = username
        self.password = password
        self.hostName = hostName
        self.caFile = caFile
    }

    public func deliver(_ message: OutboxMessage, from sender: String) async throws {
        let transport = self
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Self.queue.async { continuation.resume(with: Result { try transport.send(message, from: sender) }) }
        }
    }

    /// One SMTP conversation, blocking.
    func send(_ message: OutboxMessage, from sender: String) throws {
        let connection = try TLSConnection(host: host, port: port, timeoutSeconds: 30)
        defer { connection.close() }
        var session = SMTPSession(connection: connection)
        let verification = TLSConnection.Verification.verify(hostName: host, caFile: caFile)
        if implicitTLS { try wrap { try connection.startTLS(verification: verification) } }
        try session.expect(220)
        var capabilities = try session.command("EHLO \(hostName)", expect: 250)
        if !implicitTLS {
            guard capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw MailError("the SMTP server does not offer STARTTLS")
            }
            _ = try session.command("STARTTLS", expect: 220)
            // Anything already buffered arrived in the clear and could have been injected.
            guard session.isDrained else { throw MailError("the SMTP server sent data after agreeing to STARTTLS") }
            try wrap { try connection.startTLS(verification: verification) }
            capabilities = try session.command("EHLO \(hostName)", expect: 250)
        }
        if let username, let password {
            let credentials = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            _ = try session.command("AUTH PLAIN \(credentials)", expect: 235, secret: true)
        }
        _ = try session.command("MAIL FROM:<\(Self.address(in: sender))>", expect: 250)
        _ = try session.command("RCPT TO:<\(Self.address(in: message.recipient))>", expect: 250, 251)
        _ = try session.command("DATA", expect: 354)
        let text = MailFormat.render(message, from: sender)
        let stuffed = text.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try connection.write(Array((stuffed + ".\r\n").utf8))
        try session.expect(250)
        _ = try? session.command("QUIT", expect: 221)
    }

    private func wrap(_ body: () throws -> Void) throws {
        do { try body() } catch { throw MailError("the TLS handshake with the SMTP server failed") }
    }

    /// The bare address inside `Name <address>`, with anything that could break the command removed.
    static func address(in text: String) -> String {
        let inner: Substring
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            inner = text[text.index(after: open)..<close]
        } else {
            inner = Substring(text)
        }
        return inner.filter { !"<>\r\n ".contains($0) }
    }
}

/// Line-level SMTP: commands out, multi-line replies in.
struct SMTPSession {
    let connection: TLSConnection
    private var pending: [UInt8] = []

    init(connection: TLSConnection) {
        self.connection = connection
    }

    /// Whether no received bytes are waiting to be read.
    var isDrained: Bool { pending.isEmpty }

    /// Sends a command and checks the reply code; returns the reply lines' text.
    mutating func command(_ line: String, expect codes: Int..., secret: Bool = false) throws -> [String] {
        try connection.write(Array((line + "\r\n").utf8))
        let (code, lines) = try reply()
        guard codes.contains(code) else {
            let verb = secret ? "AUTH" : String(line.prefix { $0 != " " && $0 != ":" })
            throw MailError("the SMTP server answered \(code) to \(verb)")
        }
        return lines
    }

    mutating func expect(_ code: Int) throws {
        let (received, _) = try reply()
        guard received == code else {
            throw MailError("the SMTP server answered \(received) where \(code) was expected")
        }
    }

    /// Reads one reply: lines `NNN-text` until `NNN text`.
    mutating func reply() throws -> (Int, [String]) {
        var lines: [String] = []
        while true {
            let line = try readLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw MailError("the SMTP server sent a malformed reply")
            }
            lines.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, lines) }
        }
    }

    private mutating func readLine() throws -> String {
        while true {
            if let end = pending.firstIndex(of: 0x0A) {
                let line = pending[..<end]
                pending.removeFirst(end + 1)
                return String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
            }
            let chunk = try connection.read()
            guard !chunk.isEmpty else { throw MailError("the SMTP server closed the connection") }
            pending += chunk
            guard pending.count < 65_536 else { throw MailError("the SMTP server sent an overlong line") }
        }
    }
}

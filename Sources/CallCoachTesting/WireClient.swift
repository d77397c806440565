import COpenSSL
import CallCoachCrypto
import Foundation

/// A blocking HTTP/1.1 client over a real socket, with optional TLS through OpenSSL.
///
/// Tests use it to speak to a live server exactly as a browser or `curl` would, and also to do
/// what those will not: pin old TLS versions, send malformed bytes, stall mid-body.
public final class WireClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// TLS settings; `minimum` and `maximum` are OpenSSL protocol constants such as `TLS1_2_VERSION`.
    public struct TLS: Sendable {
        public var minimum: Int32
        public var maximum: Int32

        public init(minimum: Int32 = TLS1_2_VERSION, maximum: Int32 = TLS1_3_VERSION) {
            self.minimum = minimum
            self.maximum = maximum
        }

        public static let modern = TLS()
        public static func only(_ version: Int32) -> TLS { TLS(minimum: version, maximum: version) }
    }

    private let connection: TLSConnection
    private var buffer: [UInt8] = []
    /// The TLS version negotiated, e.g. `TLSv1.3`.
    public var tlsVersion: String? { connection.tlsVersion }

    /// Connects to `127.0.0.1:port`, performing a TLS handshake when `tls` is given.
    public init(port: UInt16, tls: TLS? = nil, timeoutSeconds: Int = 10) throws {
        do {
            connection = try TLSConnection(host: "127.0.0.1", port: port, timeoutSeconds: timeoutSeconds)
            if let tls { try connection.startTLS(verification: .none, minimum: tls.minimum, maximum: tls.maximum) }
        } catch let error as TLSConnection.Failure {
            throw Failure(description: error.description)
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try connection.write(bytes)
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Reads whatever arrives next; an empty result means the peer closed the connection.
    public func readSome() throws -> [UInt8] {
        if !buffer.isEmpty {
            defer { buffer.removeAll() }
            return buffer
        }
        return try connection.read()
    }

    /// Everything until the peer closes the connection.
    public func readToEnd() throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let chunk = try readSome()
            if chunk.isEmpty { return all }
            all += chunk
        }
    }

    /// Sends one request and reads its response.
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> WireResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        try write(Array((head + "\r\n").utf8) + body)
        return try readResponse(forHead: method == "HEAD")
    }

    /// Reads one response: status line, headers, and a body framed by length, chunks or close.
    public func readResponse(forHead: Bool = false) throws -> WireResponse {
        let headEnd = try fill(until: { Self.find([13, 10, 13, 10], in: $0) })
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line")
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = WireResponse(status: status, headers: headers, body: [])
        if forHead || status == 204 || status == 304 { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            _ = try fill(until: { $0.count >= length ? length : nil })
            response.body = Array(buffer.prefix(length))
            buffer.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunked()
        } else {
            response.body = buffer + (try readToEnd())
            buffer.removeAll()
        }
        return response
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try fill(until: { Self.find([13, 10], in: $0) })
            let size = Int(String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            buffer.removeFirst(lineEnd + 2)
            _ = try fill(until: { $0.count >= size + 2 ? size : nil })
            body += buffer.prefix(size)
            buffer.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    /// Reads until `found` reports a position in the buffer.
    private func fill(until found: ([UInt8]) -> Int?) throws -> Int {
        while true {
            if let position = found(buffer) { return position }
            let chunk = try connection.read()
            guard !chunk.isEmpty else {
                throw Failure(description: "connection closed before the response was complete")
            }
            buffer += chunk
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return start }
        }
        return nil
    }

    /// Closes the connection (after a TLS close_notify when TLS is on).
    public func close() {
        connection.close()
    }
}

/// A response as read off the wire.
public struct WireResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

import COpenSSL
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

    private let socket: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    private var buffer: [UInt8] = []
    /// The TLS version negotiated, e.g. `TLSv1.3`.
    public private(set) var tlsVersion: String?

    /// Connects to `127.0.0.1:port`, performing a TLS handshake when `tls` is given.
    public init(port: UInt16, tls: TLS? = nil, timeoutSeconds: Int = 10) throws {
        signal(SIGPIPE, SIG_IGN)
        socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Foundation.close(socket)
            throw Failure(description: "connection refused")
        }
        if let tls { try handshake(tls) }
    }

    deinit { close() }

    private func handshake(_ tls: TLS) throws {
        context = SSL_CTX_new(TLS_client_method())
        // Security level 0 lets the client offer TLS 1.0 and 1.1, so a refusal proves the server refused.
        SSL_CTX_set_security_level(context, 0)
        SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0")
        SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(tls.minimum), nil)
        SSL_CTX_ctrl(context, SSL_CTRL_SET_MAX_PROTO_VERSION, Int(tls.maximum), nil)
        ssl = SSL_new(context)
        SSL_set_fd(ssl, socket)
        _ = callcoach_ssl_set_tlsext_host_name(ssl, "localhost")
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else {
            let code = ERR_get_error()
            let reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? "handshake failed"
            throw Failure(description: reason)
        }
        tlsVersion = String(cString: SSL_get_version(ssl))
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                let start = buffer.baseAddress! + offset
                let count = buffer.count - offset
                if let ssl { return Int(SSL_write(ssl, start, Int32(min(count, Int(Int32.max))))) }
                return send(socket, start, count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw Failure(description: "write failed") }
            offset += written
        }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Reads whatever arrives next; an empty result means the peer closed the connection.
    public func readSome() throws -> [UInt8] {
        if !buffer.isEmpty {
            defer { buffer.removeAll() }
            return buffer
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { raw -> Int in
            if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return recv(socket, raw.baseAddress, raw.count, 0)
        }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw Failure(description: "read timed out") }
        return count > 0 ? Array(chunk.prefix(count)) : []
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
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { raw -> Int in
                if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
                return recv(socket, raw.baseAddress, raw.count, 0)
            }
            guard count > 0 else { throw Failure(description: "connection closed before the response was complete") }
            buffer += chunk.prefix(count)
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
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
            self.ssl = nil
        }
        if let context {
            SSL_CTX_free(context)
            self.context = nil
        }
        if socket >= 0 { Foundation.close(socket) }
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

import COpenSSL
import Foundation

/// A blocking TCP connection that can be upgraded to TLS (from the start, or by STARTTLS).
///
/// Used by outgoing SMTP; the test suite's wire client is built on it too.
public final class TLSConnection {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    /// How to check the peer's certificate.
    public enum Verification: Sendable {
        /// Against the system's trust store, or the PEM file given, and for `hostName`.
        case verify(hostName: String, caFile: String?)
        /// No check at all: only for tests that probe protocol versions.
        case none
    }

    private var socket: Int32
    private var context: OpaquePointer?
    private var ssl: OpaquePointer?
    /// The negotiated TLS version, e.g. `TLSv1.3`, once TLS is on.
    public private(set) var tlsVersion: String?

    /// Connects to `host:port` (numeric or a name), with send and receive timeouts.
    public init(host: String, port: UInt16, timeoutSeconds: Int = 10) throws {
        signal(SIGPIPE, SIG_IGN)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw Failure("cannot resolve the host")
        }
        defer { freeaddrinfo(result) }
        var candidate: UnsafeMutablePointer<addrinfo>? = info
        var connected: Int32 = -1
        // Each address in turn: `localhost` may name ::1 before 127.0.0.1.
        while let address = candidate, connected < 0 {
            let descriptor = Foundation.socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
            if descriptor >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                    connected = descriptor
                } else {
                    Foundation.close(descriptor)
                }
            }
            candidate = address.pointee.ai_next
        }
        guard connected >= 0 else { throw Failure("connection refused") }
        socket = connected
    }

    deinit { close() }

    /// Performs a TLS handshake on the open connection, limited to the versions given.
    public func startTLS(
        verification: Verification, minimum: Int32 = TLS1_2_VERSION, maximum: Int32 = TLS1_3_VERSION
    ) throws {
        context = SSL_CTX_new(TLS_client_method())
        SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(minimum), nil)
        SSL_CTX_ctrl(context, SSL_CTRL_SET_MAX_PROTO_VERSION, Int(maximum), nil)
        switch verification {
        case .verify(let hostName, let caFile):
            if let caFile {
                guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                    throw Failure("cannot read the CA file")
                }
            } else {
                SSL_CTX_set_default_verify_paths(context)
            }
            ssl = SSL_new(context)
            SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
            SSL_set1_host(ssl, hostName)
            _ = callcoach_ssl_set_tlsext_host_name(ssl, hostName)
        case .none:
            // Security level 0 lets a test offer TLS 1.0 and 1.1, so a refusal is the server's doing.
            SSL_CTX_set_security_level(context, 0)
            SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0")
            ssl = SSL_new(context)
            _ = callcoach_ssl_set_tlsext_host_name(ssl, "localhost")
        }
        SSL_set_fd(ssl, socket)
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else {
            let reason = ERR_reason_error_string(ERR_get_error()).map { String(cString: $0) } ?? "handshake failed"
            throw Failure(reason)
        }
        tlsVersion = String(cString: SSL_get_version(ssl))
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                let start = buffer.baseAddress! + offset
                let count = min(buffer.count - offset, Int(Int32.max))
                if let ssl { return Int(SSL_write(ssl, start, Int32(count))) }
                return send(socket, start, count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw Failure("write failed") }
            offset += written
        }
    }

    /// Reads what arrives next, up to 64 KiB; empty when the peer closed the connection.
    public func read() throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { raw -> Int in
            if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return recv(socket, raw.baseAddress, raw.count, 0)
        }
        if count < 0 && ssl == nil && (errno == EAGAIN || errno == EWOULDBLOCK) { throw Failure("read timed out") }
        return count > 0 ? Array(chunk.prefix(count)) : []
    }

    /// Closes the connection, after a TLS close_notify when TLS is on.
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
        if socket >= 0 {
            Foundation.close(socket)
            socket = -1
        }
    }
}

import CMicroHTTPD
import CallCoachTelemetry
import Foundation
import Synchronization

/// A certificate chain and private key in PEM form.
public struct TLSIdentity: Sendable {
    public var certificatePEM: String
    public var privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// Where and how one listener accepts connections.
public struct ListenerConfiguration: Sendable {
    public var host: String
    /// The port to bind; 0 picks a free one, readable afterwards from `HTTPServer.port`.
    public var port: UInt16
    /// Serve HTTPS with this identity; `nil` serves plain HTTP.
    public var tls: TLSIdentity?
    public var threads: Int
    /// Seconds a connection may stay idle, or stall mid-request, before it is closed.
    public var connectionTimeout: Int
    /// Connections accepted at once.
    public var connectionLimit: Int
    /// GnuTLS priorities; the default allows TLS 1.2 and 1.3 only. `nil` leaves GnuTLS's own
    /// defaults, which tests use as a control that accepts older versions.
    public var tlsPriorities: String? = HTTPServer.tlsPriorities

    public init(
        host: String, port: UInt16, tls: TLSIdentity? = nil, threads: Int = 2, connectionTimeout: Int = 30,
        connectionLimit: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.threads = threads
        self.connectionTimeout = connectionTimeout
        self.connectionLimit = connectionLimit
    }
}

/// Failures to start a listener; the description names the cause without secrets.
public struct HTTPServerError: Error, CustomStringConvertible {
    public let description: String
}

/// An HTTP/1.1 server on libmicrohttpd: an internal epoll thread pool, optional TLS through GnuTLS.
public final class HTTPServer: Sendable {
    /// GnuTLS priorities: the normal suites, TLS 1.2 and 1.3 only.
    public static let tlsPriorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

    /// The bound port (useful when the configuration asked for port 0).
    public let port: UInt16
    public let scheme: String
    private let daemon: CHandle
    private let context: Unmanaged<ServerContext>
    private let stopped = Mutex(false)
    private let listening = Atomic<Bool>(true)

    /// Whether the listening socket is still open; false from the moment shutdown closes it.
    public var acceptsConnections: Bool { listening.load(ordering: .acquiring) }

    /// Binds and starts serving `application`.
    public init(application: HTTPApplication, configuration: ListenerConfiguration) throws {
        // A peer that disconnects mid-write must cost an error code, not the process.
        signal(SIGPIPE, SIG_IGN)
        let scheme = configuration.tls == nil ? "http" : "https"
        let context = Unmanaged.passRetained(ServerContext(application: application, scheme: scheme))
        let address = try SocketAddress(host: configuration.host, port: configuration.port)
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        if configuration.tls != nil { flags |= MHD_USE_TLS.rawValue }

        let daemon = Self.start(flags: flags, configuration: configuration, address: address, context: context)
        guard let daemon else {
            context.release()
            throw HTTPServerError(description: "cannot listen on \(configuration.host):\(configuration.port)")
        }
        self.daemon = CHandle(pointer: daemon)
        self.context = context
        self.scheme = scheme
        self.port = Self.boundPort(daemon) ?? configuration.port
    }

    private static func start(
        flags: UInt32, configuration: ListenerConfiguration, address: SocketAddress, context: Unmanaged<ServerContext>
    ) -> OpaquePointer? {
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func retained(_ text: String) -> UnsafeMutableRawPointer {
            let pointer = strdup(text)!
            strings.append(pointer)
            return UnsafeMutableRawPointer(pointer)
        }
        let contextPointer = context.toOpaque()
        return address.withSockaddr { sockaddr in
            var options: [MHD_OptionItem] = [
                option(.EXTERNAL_LOGGER, unsafeBitCast(libraryLog, to: Int.self), contextPointer),
                option(.CONNECTION_TIMEOUT, configuration.connectionTimeout),
                option(.CONNECTION_LIMIT, configuration.connectionLimit),
                option(.CONNECTION_MEMORY_LIMIT, 48 * 1024),
                option(.SOCK_ADDR, 0, UnsafeMutableRawPointer(mutating: sockaddr)),
                option(.NOTIFY_COMPLETED, unsafeBitCast(requestCompleted, to: Int.self), contextPointer),
                option(.UNESCAPE_CALLBACK, unsafeBitCast(keepEscapes, to: Int.self), nil),
            ]
            if configuration.threads > 1 { options.append(option(.THREAD_POOL_SIZE, configuration.threads)) }
            if let tls = configuration.tls {
                options.append(option(.HTTPS_MEM_CERT, 0, retained(tls.certificatePEM)))
                options.append(option(.HTTPS_MEM_KEY, 0, retained(tls.privateKeyPEM)))
                if let priorities = configuration.tlsPriorities {
                    options.append(option(.HTTPS_PRIORITIES, 0, retained(priorities)))
                }
            }
            options.append(option(.END, 0))
            return options.withUnsafeBufferPointer { buffer in
                callcoach_mhd_start(flags, accessHandler, contextPointer, buffer.baseAddress)
            }
        }
    }

    private static func option(_ name: MHD_OPTION, _ value: Int, _ pointer: UnsafeMutableRawPointer? = nil)
        -> MHD_OptionItem
    {
        MHD_OptionItem(option: name, value: value, ptr_value: pointer)
    }

    private static func boundPort(_ daemon: OpaquePointer) -> UInt16? {
        let fd = callcoach_mhd_listen_fd(daemon)
        guard fd >= 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        return SocketAddress.port(of: storage)
    }

    /// How much request body this server has held in memory at most.
    public var bodyStatistics: BodyStatistics { context.takeUnretainedValue().bodyStatistics }

    /// Requests started and not yet finished.
    public var requestsInFlight: Int { context.takeUnretainedValue().inFlightCount }

    /// Stops accepting, lets in-flight requests finish until `deadline`, answers the rest with 503, then stops.
    public func shutdown(grace: Duration) {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        let context = context.takeUnretainedValue()
        context.beginDraining()
        let listener = MHD_quiesce_daemon(daemon.pointer)
        if listener >= 0 { close(listener) }
        listening.store(false, ordering: .releasing)
        let deadline = ContinuousClock.now + grace
        while context.inFlightCount > 0 && ContinuousClock.now < deadline {
            usleep(5_000)
        }
        context.answerRemaining()
        let hardDeadline = ContinuousClock.now + .seconds(2)
        while context.inFlightCount > 0 && ContinuousClock.now < hardDeadline {
            usleep(5_000)
        }
        MHD_stop_daemon(daemon.pointer)
        self.context.release()
    }

    deinit {
        shutdown(grace: .zero)
    }
}

/// What the C callbacks reach through their closure pointer.
final class ServerContext: Sendable {
    let application: HTTPApplication
    let scheme: String
    let bodyStatistics = BodyStatistics()
    private let exchanges = Mutex<[ObjectIdentifier: Exchange]>([:])
    private let draining = Atomic<Bool>(false)

    init(application: HTTPApplication, scheme: String) {
        self.application = application
        self.scheme = scheme
    }

    var isDraining: Bool { draining.load(ordering: .acquiring) }
    var inFlightCount: Int { exchanges.withLock { $0.count } }

    func register(_ exchange: Exchange) {
        exchanges.withLock { $0[ObjectIdentifier(exchange)] = exchange }
    }

    func unregister(_ exchange: Exchange) {
        exchanges.withLock { $0[ObjectIdentifier(exchange)] = nil }
    }

    func beginDraining() {
        draining.store(true, ordering: .releasing)
    }

    /// Answers every request still waiting with 503 so no connection stays suspended.
    func answerRemaining() {
        for exchange in exchanges.withLock({ Array($0.values) }) where !exchange.isAnswered {
            // Through the application, so the 503 carries HSTS and the request id, and is logged.
            let request = Request(
                method: exchange.head.method, target: exchange.head.target, scheme: exchange.head.scheme,
                id: exchange.requestID)
            exchange.complete(
                with: application.reject(request, with: .unavailable, route: nil, started: exchange.started))
        }
    }
}

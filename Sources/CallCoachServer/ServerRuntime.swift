import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// A running CallCoach server: the HTTPS listener, the optional redirect and admin listeners, and the store.
public final class ServerRuntime: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    public let metrics: Metrics
    public let database: any Database
    public let application: HTTPApplication
    public let https: HTTPServer
    public let redirect: HTTPServer?
    public let admin: HTTPServer?
    public let identity: IdentityService
    public let outbox: OutboxDelivery
    public let processing: Processing
    private let outboxTask: Task<Void, Never>
    private let driftTask: Task<Void, Never>

    /// Prepares the data directory and store, then starts every configured listener.
    public static func start(
        _ configuration: Configuration, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> ServerRuntime {
        let directory = DataDirectory(path: configuration.dataDirectory)
        let (keys, database) = try await directory.openStore(configuration, logger: logger)
        do {
            // Fail closed: a server whose role escapes row-level security does not start.
            let escapes = try await database.read(.global) { try RowLevelSecurity.escapes($0) }
            if let problem = escapes.first {
                throw ConfigurationError(
                    "\(problem): connect CALLCOACH_DATABASE_URL as a role that owns nothing and give the owner as "
                        + "CALLCOACH_DATABASE_OWNER_URL")
            }
            let tls = try directory.tlsIdentity(configuration, logger: logger)
            try configuration.engines.requireUsable(configuration, logger: logger)
            return try ServerRuntime(
                configuration, logger: logger, database: database, keys: keys, tls: tls, clock: clock)
        } catch {
            database.close()
            throw error
        }
    }

    private init(
        _ configuration: Configuration, logger: Logger, database: any Database, keys: KeyRing, tls: TLSIdentity,
        clock: @escaping @Sendable () -> Date
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.database = database
        let metrics = Metrics()
        self.metrics = metrics
        var settings = IdentityService.Settings(publicURL: configuration.linkBase)
        settings.idleTimeout = TimeInterval(configuration.sessionIdleTimeoutSeconds)
        let identity = try IdentityService(
            database: database, keys: keys, settings: settings, logger: logger, metrics: metrics, clock: clock)
        self.identity = identity
        let outbox = OutboxDelivery(
            database: database, transport: try MailTransports.make(configuration), sender: configuration.mailFrom,
            logger: logger, metrics: metrics)
        self.outbox = outbox
        outboxTask = Task { await outbox.run() }
        driftTask = Task {
            async let drift: Void = Self.checkPolicyDaily(database, logger: logger, metrics: metrics)
            async let prune: Void = Self.pruneCounters(database, clock: clock)
            _ = await (drift, prune)
        }

        let blobs = BlobStore(root: configuration.dataDirectory + "/blobs", keys: keys.blobKeys)
        processing = Processing(
            database: database, blobs: blobs, keys: keys, engines: configuration.engines,
            dataDirectory: configuration.dataDirectory, links: configuration.linkBase,
            workers: configuration.workers ?? 1,
            lease: TimeInterval(configuration.jobLeaseSeconds), logger: logger, metrics: metrics, clock: clock)
        let calls = CallService(
            database: database, blobs: blobs, identity: identity, logger: logger, metrics: metrics,
            maxUploadBytes: configuration.maxUploadMegabytes * 1_000_000)
        application = try Self.publicApplication(
            configuration, logger: logger, metrics: metrics, database: database, identity: identity, calls: calls)
        let https = try HTTPServer(
            application: application, configuration: listener(configuration, port: configuration.port, tls: tls))
        self.https = https
        logger.info("server.listening", "", [.scheme: .string("https"), .port: .int(Int(https.port))])

        redirect = try configuration.redirectPort.map { port in
            let target = RedirectToHTTPS(httpsPort: https.port, publicHost: configuration.publicHost)
            let app = HTTPApplication(router: Router(), logger: logger, metrics: metrics, fallback: target.handle)
            return try HTTPServer(application: app, configuration: listener(configuration, port: port, tls: nil))
        }
        if let redirect {
            logger.info("server.listening", "", [.scheme: .string("http"), .port: .int(Int(redirect.port))])
        }

        admin = try configuration.adminPort.map { port in
            var router = Router()
            OperationsRoutes(
                database: database, metrics: metrics, metricsToken: nil, metricsOpen: true,
                engines: configuration.engines
            )
            .register(in: &router)
            let app = HTTPApplication(router: router, logger: logger, metrics: metrics)
            var settings = listener(configuration, port: port, tls: nil)
            settings.host = "127.0.0.1"
            settings.threads = 1
            return try HTTPServer(application: app, configuration: settings)
        }
        if let admin { logger.info("server.admin.listening", "", [.port: .int(Int(admin.port))]) }
    }

    /// The application behind the public HTTPS port.
    static func publicApplication(
        _ configuration: Configuration, logger: Logger, metrics: Metrics, database: any Database,
        identity: IdentityService, calls: CallService
    ) throws -> HTTPApplication {
        let origin = configuration.publicURL.flatMap(URL.init(string:)).map { url in
            // Browsers leave the default port out of `Origin`, so it is left out here too.
            "https://" + (url.host ?? "") + (url.port.flatMap { $0 == 443 ? nil : ":\($0)" } ?? "")
        }
        let authenticator = Authenticator(identity: identity, publicOrigin: origin)
        let limits = RateLimits(
            database: database, keys: identity.keys, globalPerMinute: configuration.rateLimitPerMinute, logger: logger,
            metrics: metrics, clock: identity.clock)
        let attestation = try Attestation(
            configuration, key: identity.keys.attestationKey, database: database, logger: logger, metrics: metrics,
            clock: identity.clock)
        var router = Router()
        EdgeRoutes(identity: identity, limits: limits, attestation: attestation, logger: logger, metrics: metrics)
            .register(in: &router)
        AuthRoutes(identity: identity, authenticator: authenticator, mailer: Mailer(), limits: limits).register(
            in: &router)
        CompanyRoutes(identity: identity, mailer: Mailer(), limits: limits).register(in: &router)
        CallRoutes(calls: calls).register(in: &router)
        ScorecardRoutes(
            service: ScorecardService(
                database: database, identity: identity, calls: calls,
                disputeWindow: TimeInterval(configuration.disputeWindowDays) * 86_400)
        ).register(in: &router)
        ComplianceRoutes(database: database, identity: identity, calls: calls).register(in: &router)
        CoachingRoutes(database: database, identity: identity, calls: calls).register(in: &router)
        NotificationRoutes(database: database, identity: identity).register(in: &router)
        AIRoutes(
            settings: AISettings(
                database: database, key: identity.keys.settingsSecretKey, engines: configuration.engines),
            identity: identity
        )
        .register(in: &router)
        OperationsRoutes(
            database: database, metrics: metrics, metricsToken: configuration.metricsToken, metricsOpen: false,
            engines: configuration.engines
        )
        .register(in: &router)
        let access = AccessControl(authenticator: authenticator, identity: identity)
        // The pages read the API in process, behind the same access control but not counted
        // against the rate limit a second time, nor in the request metrics: the page's own
        // request is the one that came in.
        let api = HTTPApplication(router: router, middleware: [access], logger: logger, metrics: Metrics())
        WebPages(identity: identity, calls: calls, database: database, api: APIReader(application: api))
            .register(in: &router)
        try requireDeclaredAccess(router)
        let limiter = RateLimiter(limits: limits, routePolicies: EdgeRoutes.routePolicies)
        guard let proxies = TrustedProxies(list: configuration.trustedProxies.joined(separator: ",")) else {
            throw ConfigurationError("the trusted proxies are not a list of addresses")
        }
        return HTTPApplication(
            router: router, middleware: [limiter, access],
            logger: logger, metrics: metrics, securityHeaders: SecurityHeaders(reportPath: EdgeRoutes.reportPath),
            trustedProxies: proxies,
            // Misses pass the middleware too, so probing for addresses counts against the limit.
            fallback: { _ in throw HTTPError.notFound }, fallbackCoversEveryMiss: false)
    }

    /// The edge limiter alone (the global policy per client address), for the benchmark program.
    public static func edgeLimiter(
        database: any Database, keys: KeyRing, perMinute: Int, logger: Logger, metrics: Metrics
    ) -> any Middleware {
        RateLimiter(
            limits: RateLimits(
                database: database, keys: keys, globalPerMinute: perMinute, logger: logger, metrics: metrics,
                clock: { Date() }),
            routePolicies: [:])
    }

    /// Compares the live row-level policies with the expected ones at start and then daily; a
    /// difference raises an alert event and a metric.
    static func checkPolicyDaily(_ database: any Database, logger: Logger, metrics: Metrics) async {
        guard database.dialect == .postgres else { return }
        while !Task.isCancelled {
            do {
                let differences =
                    try await database.read(.platform) { try RowLevelSecurity.drift($0) }
                    + database.read(.global) { try RowLevelSecurity.escapes($0) }
                if differences.isEmpty {
                    logger.info("security.policy_check.passed")
                } else {
                    metrics.increment("callcoach_policy_drift_total")
                    logger.error(
                        "security.policy_drift", "the live row-level policies differ from the expected ones",
                        [.count: .int(differences.count)])
                }
            } catch {
                logger.warning("security.policy_check.failed", "the policy check could not read the catalogue")
            }
            try? await Task.sleep(for: .seconds(86_400))
        }
    }

    /// Drops ended rate-limit windows and expired attestation tokens, every five minutes.
    static func pruneCounters(_ database: any Database, clock: @escaping @Sendable () -> Date) async {
        while !Task.isCancelled {
            let now = Int64(clock().timeIntervalSince1970)
            // No window is longer than the longest a policy may have.
            let cutoff = now - Int64(RateLimit.windowRange.upperBound)
            _ = try? await database.write { try RateLimitCounters.prune(before: cutoff, $0) }
            _ = try? await database.write { try AttestationTokens.prune(before: now, $0) }
            try? await Task.sleep(for: .seconds(300))
        }
    }

    /// Refuses to start while any route lacks an access rule.
    static func requireDeclaredAccess(_ router: Router) throws {
        if let route = router.undeclared.first {
            throw ConfigurationError("the route \(route.method) \(route.pattern) declares no access rule")
        }
    }

    /// Stops accepting, lets in-flight requests finish within the shutdown timeout, then closes the store.
    public func stop() {
        let grace = Duration.seconds(configuration.shutdownTimeoutSeconds)
        logger.info("server.stopping")
        outboxTask.cancel()
        processing.stop()
        driftTask.cancel()
        redirect?.shutdown(grace: .zero)
        https.shutdown(grace: grace)
        admin?.shutdown(grace: .zero)
        database.close()
        logger.info("server.stopped")
    }
}

private func listener(_ configuration: Configuration, port: UInt16, tls: TLSIdentity?) -> ListenerConfiguration {
    ListenerConfiguration(
        host: configuration.host, port: port, tls: tls, threads: configuration.threads,
        connectionTimeout: configuration.connectionTimeoutSeconds)
}

/// Answers every plain-HTTP request with a permanent redirect to the same path over HTTPS.
struct RedirectToHTTPS: Sendable {
    let httpsPort: UInt16
    let publicHost: String?

    func handle(_ request: Request) async throws -> Response {
        guard let host = publicHost ?? Self.hostName(request.headers["Host"]) else {
            throw HTTPError(400, detail: "The request has no valid Host header.")
        }
        let authority = httpsPort == 443 ? host : "\(host):\(httpsPort)"
        var response = Response(status: 308)
        response.headers.set("Location", "https://\(authority)\(Self.encodedTarget(request.target))")
        return response
    }

    /// The target with every byte that may not appear in a URI percent-encoded.
    static func encodedTarget(_ target: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%".utf8)
        return target.utf8.map { byte in
            allowed.contains(byte) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
    }

    /// The host part of a Host header, if it is a plain name or address (no user info, no path).
    static func hostName(_ header: String?) -> String? {
        guard let header, !header.isEmpty, header.utf8.count <= 255 else { return nil }
        let host: Substring
        if header.hasPrefix("[") {
            guard let end = header.firstIndex(of: "]") else { return nil }
            host = header[...end]
        } else {
            host = header.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
        }
        let allowed = host.unicodeScalars.allSatisfy { scalar in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || ".-[]:".unicodeScalars.contains(scalar)
        }
        return allowed && !host.isEmpty ? String(host) : nil
    }
}

import CallCoachStore
import CallCoachTelemetry
import Foundation

/// What `callcoach migrate` does.
public enum DatabaseCommands {
    /// Applies pending migrations to the data directory's database and returns their versions.
    public static func migrate(_ configuration: Configuration, logger: Logger) async throws -> [Int] {
        let directory = DataDirectory(path: configuration.dataDirectory)
        try directory.create()
        let database = try directory.openDatabase(configuration)
        defer { database.close() }
        return try await Migrator(logger: logger).migrate(database)
    }

    /// Creates a company and its first administrator; returns the company id and, without a
    /// password, the one-time invitation link.
    public static func createCompany(_ configuration: Configuration, password: String?, logger: Logger) async throws
        -> (
            companyID: String, invitationLink: String?
        )
    {
        guard let name = configuration.companyName, let email = configuration.adminEmail else {
            throw ConfigurationError("admin create-company needs --name and --admin-email")
        }
        return try await withIdentity(configuration, logger: logger) { identity in
            do {
                let (company, link) = try await identity.createCompany(
                    name: name, adminEmail: email, password: password)
                return (company.id, link)
            } catch let error as IdentityError {
                switch error.code {
                case .weakPassword: throw ConfigurationError("the password must be 12 to 256 characters long")
                default:
                    throw ConfigurationError("--name must be 1 to 200 characters and --admin-email an e-mail address")
                }
            }
        }
    }

    /// Deactivates or reactivates the account named by `--email`.
    public static func setDeactivated(_ deactivated: Bool, _ configuration: Configuration, logger: Logger) async throws
    {
        guard let email = configuration.userEmail else { throw ConfigurationError("this command needs --email") }
        try await withIdentity(configuration, logger: logger) { identity in
            do {
                try await identity.setDeactivated(deactivated, email: email)
            } catch let error as IdentityError where error.code == .notFound || error.code == .invalidRequest {
                throw ConfigurationError("no account has that e-mail address")
            }
        }
    }

    /// Makes the account named by `--email` a platform operator, or stops it being one.
    public static func setPlatformOperator(_ value: Bool, _ configuration: Configuration, logger: Logger) async throws {
        guard let email = configuration.userEmail else { throw ConfigurationError("this command needs --email") }
        try await withIdentity(configuration, logger: logger) { identity in
            do {
                try await identity.setPlatformOperator(value, email: email)
            } catch let error as IdentityError where error.code == .notFound || error.code == .invalidRequest {
                throw ConfigurationError("no account has that e-mail address")
            }
        }
    }

    /// Runs `body` with an identity service over the data directory's migrated database.
    static func withIdentity<Result: Sendable>(
        _ configuration: Configuration, logger: Logger, _ body: (IdentityService) async throws -> Result
    ) async throws -> Result {
        let (keys, database) = try await DataDirectory(path: configuration.dataDirectory)
            .openStore(configuration, logger: logger)
        defer { database.close() }
        let identity = try IdentityService(
            database: database, keys: keys,
            settings: IdentityService.Settings(publicURL: configuration.publicURL ?? "https://localhost:8443"),
            logger: logger, metrics: Metrics())
        return try await body(identity)
    }

    /// Checks every company's audit chain; returns the first break of each broken chain.
    public static func verifyAudit(_ configuration: Configuration, logger: Logger) async throws -> [AuditLog.Break] {
        let directory = DataDirectory(path: configuration.dataDirectory)
        guard configuration.databaseURL != nil || FileManager.default.fileExists(atPath: directory.databasePath) else {
            throw ConfigurationError("there is no database in \(configuration.dataDirectory)")
        }
        let database = try directory.openDatabase(configuration)
        defer { database.close() }
        try await Migrator(logger: logger).migrate(database)
        return try await database.read(.platform) { try AuditLog.verifyAll($0) }
    }

    /// Differences between the live row-level policies and grants and the expected ones.
    public static func policyDrift(_ configuration: Configuration, logger: Logger) async throws -> [String] {
        guard configuration.databaseURL != nil else {
            throw ConfigurationError("the policy check needs CALLCOACH_DATABASE_URL: SQLite has no row-level security")
        }
        let database = try DataDirectory(path: configuration.dataDirectory).openDatabase(configuration)
        defer { database.close() }
        return try await database.read(.platform) { try RowLevelSecurity.drift($0) }
    }

    /// Starts a new blob-key version; running servers re-encrypt stored blobs under it.
    public static func rotateKeys(_ configuration: Configuration, logger: Logger) async throws -> Int {
        let database = try DataDirectory(path: configuration.dataDirectory).openDatabase(configuration)
        defer { database.close() }
        let version = try await database.write(.platform) { try BlobMaintenance.addKeyVersion(at: Date(), $0) }
        logger.info("blob.key_rotated", "", [.version: .int(version)])
        return version
    }

    /// Runs call-processing workers (and blob maintenance) until `stop` returns.
    public static func runWorkers(
        _ configuration: Configuration, logger: Logger, until stop: @Sendable () async -> Void
    ) async throws {
        let directory = DataDirectory(path: configuration.dataDirectory)
        try configuration.engines.requireUsable(configuration, logger: logger)
        let (keys, database) = try await directory.openStore(configuration, logger: logger)
        defer { database.close() }
        let processing = Processing(
            database: database, blobs: BlobStore(root: configuration.dataDirectory + "/blobs", keys: keys.blobKeys),
            keys: keys, engines: configuration.engines, dataDirectory: configuration.dataDirectory,
            links: configuration.linkBase, workers: configuration.workers ?? 2,
            lease: TimeInterval(configuration.jobLeaseSeconds), logger: logger,
            metrics: Metrics(), clock: { Date() })
        logger.info("worker.started", "", [.count: .int(configuration.workers ?? 2)])
        await stop()
        processing.stop()
        logger.info("worker.stopped")
    }

    /// Uploads the recordings dropped in `--watch` for `--company`: once, or every interval until
    /// `stop` returns. Returns what the last look did.
    @discardableResult
    public static func ingest(
        _ configuration: Configuration, logger: Logger, until stop: @escaping @Sendable () async -> Void
    ) async throws -> (stored: Int, failed: Int, waiting: Int) {
        guard let directory = configuration.watchDirectory, let companyID = configuration.companyID else {
            throw ConfigurationError("ingest needs --watch DIR and --company ID")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            throw ConfigurationError("--watch must name an existing folder")
        }
        return try await withIdentity(configuration, logger: logger) { identity in
            guard try await identity.database.read(.platform, { try IdentityRecords.company(id: companyID, $0) }) != nil
            else { throw ConfigurationError("no company has the id given with --company") }
            let calls = CallService(
                database: identity.database,
                blobs: BlobStore(root: configuration.dataDirectory + "/blobs", keys: identity.keys.blobKeys),
                identity: identity, logger: logger, metrics: Metrics(),
                maxUploadBytes: configuration.maxUploadMegabytes * 1_000_000)
            let folder = DropFolder(
                directory: directory, scope: .system(companyID: companyID), calls: calls, logger: logger,
                settle: TimeInterval(configuration.settleSeconds), clock: { Date() })
            if configuration.once {
                let outcome = try await folder.scan()
                return (outcome.stored, outcome.failed, outcome.waiting)
            }
            logger.info("ingest.watching", "", [.companyID: .string(companyID)])
            let watching = Task { await folder.watch(every: .seconds(configuration.watchIntervalSeconds)) }
            await stop()
            watching.cancel()
            _ = await watching.value
            return (0, 0, 0)
        }
    }

    /// The authorization matrix of the routes the server declares, as Markdown.
    public static func policyMatrix(logger: Logger) async throws -> String {
        let scratch = NSTemporaryDirectory() + "callcoach-matrix-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var configuration = Configuration()
        configuration.dataDirectory = scratch
        let (keys, database) = try await DataDirectory(path: scratch).openStore(configuration, logger: logger)
        defer { database.close() }
        let identity = try IdentityService(
            database: database, keys: keys, settings: .init(publicURL: "https://localhost:8443"), logger: logger,
            metrics: Metrics())
        let calls = CallService(
            database: database, blobs: BlobStore(root: scratch + "/blobs", keys: keys.blobKeys), identity: identity,
            logger: logger, metrics: Metrics(), maxUploadBytes: configuration.maxUploadMegabytes * 1_000_000)
        let application = try ServerRuntime.publicApplication(
            configuration, logger: logger, metrics: Metrics(), database: database, identity: identity, calls: calls)
        return PolicyMatrix.markdown(router: application.router)
    }
}

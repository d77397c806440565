import CallCoachServer
import CallCoachTelemetry
import Foundation

/// A complete server started in-process on `127.0.0.1` with free ports and a fresh data directory.
public final class LiveServer: Sendable {
    public let runtime: ServerRuntime
    public let directory: TemporaryDirectory
    public let logs: MemorySink

    /// Starts a server; `configure` may adjust the configuration before start.
    public static func start(
        in existing: TemporaryDirectory? = nil, clock: TestClock? = nil,
        _ configure: (inout Configuration) -> Void = { _ in }
    ) async throws -> LiveServer {
        let directory = try existing ?? TemporaryDirectory()
        var configuration = Configuration()
        configuration.dataDirectory = directory.path
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.adminPort = 0
        configuration.shutdownTimeoutSeconds = 5
        // On PostgreSQL runs the database lives beside the directory; a restart finds it again.
        let remembered = directory.file("test-database-url")
        if let urls = try? String(contentsOfFile: remembered, encoding: .utf8).split(separator: "\n") {
            configuration.databaseURL = Secret(String(urls[0]))
            configuration.databaseOwnerURL = Secret(String(urls[1]))
        } else if let urls = try await TestDatabase.freshPostgres() {
            try "\(urls.url)\n\(urls.ownerURL)".write(toFile: remembered, atomically: true, encoding: .utf8)
            configuration.databaseURL = Secret(urls.url)
            configuration.databaseOwnerURL = Secret(urls.ownerURL)
        }
        configure(&configuration)
        let logs = MemorySink()
        let now: @Sendable () -> Date
        if let clock {
            now = { clock.now }
        } else {
            now = { Date() }
        }
        let runtime = try await ServerRuntime.start(
            configuration, logger: Logger(level: .debug, sink: logs), clock: now)
        return LiveServer(runtime: runtime, directory: directory, logs: logs)
    }

    private init(runtime: ServerRuntime, directory: TemporaryDirectory, logs: MemorySink) {
        self.runtime = runtime
        self.directory = directory
        self.logs = logs
    }

    public var httpsPort: UInt16 { runtime.https.port }
    public var adminPort: UInt16? { runtime.admin?.port }
    public var redirectPort: UInt16? { runtime.redirect?.port }

    /// An in-process client for the public application, as if from `remoteAddress`.
    public func client(remoteAddress: String = "198.51.100.7") -> TestClient {
        var client = TestClient(runtime.application)
        client.remoteAddress = remoteAddress
        return client
    }

    /// Delivers every queued e-mail now and waits until none is left unsent, whichever delivery
    /// loop (the test's or the server's own) sends it.
    public func deliverMail() async throws {
        // The real time: a later `now` would also take messages the server's loop holds a lease on.
        try await runtime.outbox.deliverDue()
        for _ in 0..<100 {
            let unsent = try await runtime.database.read { connection in
                try connection.queryOne("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")?
                    .decode("n", as: Int.self) ?? 0
            }
            if unsent == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    public func stop() {
        runtime.stop()
    }

    deinit {
        runtime.stop()
    }
}

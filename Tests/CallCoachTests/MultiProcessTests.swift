import CallCoachAnalysis
import CallCoachCore
import CallCoachCrypto
import CallCoachHTTP
import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

/// Two `callcoach serve` processes on one PostgreSQL: lockouts and revocations live in the
/// database, so what one server decides the other enforces on its next request. Two
/// `callcoach worker` processes share its job queue.
@Suite(.serialized, .enabled(if: TestDatabase.dialect == .postgres)) struct MultiProcessTests {
    @Test func twoServersDeliverAThousandMessagesEachExactlyOnce() async throws {
        let urls = try #require(try await TestDatabase.freshPostgres())
        let environment = ["CALLCOACH_DATABASE_URL": urls.url, "CALLCOACH_DATABASE_OWNER_URL": urls.ownerURL]
        let database = try PostgresDatabase(url: urls.url, ownerURL: urls.ownerURL, size: 1)
        defer { database.close() }
        try await Migrator(logger: .init(sink: MemorySink())).migrate(database)
        try await database.write { connection in
            for index in 0..<1000 {
                try Mailer().enqueue(
                    to: "person\(index)@example.com", subject: "Message \(index)", body: "Body.", connection)
            }
        }
        let (one, two) = (try TemporaryDirectory(), try TemporaryDirectory())
        let first = try await ServeProcess(directory: one, environment: environment)
        let second = try await ServeProcess(directory: two, environment: environment)
        defer {
            first.stop()
            second.stop()
        }
        let deadline = Date().addingTimeInterval(60)
        var pending = 1000
        while pending > 0 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            pending = try await database.read { connection in
                try connection.queryOne("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")?.decode("n") ?? -1
            }
        }
        #expect(pending == 0)
        func delivered(_ directory: TemporaryDirectory) -> Set<String> {
            Set((try? FileManager.default.contentsOfDirectory(atPath: directory.file("outbox"))) ?? [])
        }
        let (byFirst, bySecond) = (delivered(one), delivered(two))
        #expect(byFirst.count + bySecond.count == 1000, "\(byFirst.count) + \(bySecond.count)")
        #expect(byFirst.isDisjoint(with: bySecond), "no message went out from both servers")
        print("outbox split between the servers: \(byFirst.count) and \(bySecond.count)")
    }

    @Test func theRateLimitHoldsInTotalAcrossServers() async throws {
        let urls = try #require(try await TestDatabase.freshPostgres())
        // Servers sharing a database share their keys, as a deployment must configure them.
        let environment = [
            "CALLCOACH_DATABASE_URL": urls.url, "CALLCOACH_DATABASE_OWNER_URL": urls.ownerURL,
            "CALLCOACH_MASTER_KEY": Data(SecureRandom.bytes(32)).base64EncodedString(),
            "CALLCOACH_JWT_SIGNING_KEY": Data(SecureRandom.bytes(32)).base64EncodedString(),
        ]
        let first = try await ServeProcess(
            directory: try TemporaryDirectory(), environment: environment, arguments: ["--rate-limit", "10"])
        let second = try await ServeProcess(
            directory: try TemporaryDirectory(), environment: environment, arguments: ["--rate-limit", "10"])
        defer {
            first.stop()
            second.stop()
        }
        // The windows are fixed minutes: keep all sixteen requests inside one of them.
        let secondOfMinute = Int(Date().timeIntervalSince1970) % 60
        if secondOfMinute > 50 { try await Task.sleep(for: .seconds(61 - secondOfMinute)) }
        let statuses = try await blocking {
            try (0..<16).map { index in try (index % 2 == 0 ? first : second).request("GET", "/api/v1/me").status }
        }
        #expect(statuses.filter { $0 == 401 }.count == 10, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 6)
    }

    @Test func lockoutsAndRevocationsHoldAcrossServers() async throws {
        let directory = try TemporaryDirectory()
        let urls = try #require(try await TestDatabase.freshPostgres())
        let environment = ["CALLCOACH_DATABASE_URL": urls.url, "CALLCOACH_DATABASE_OWNER_URL": urls.ownerURL]
        let creation = try run(
            callcoachExecutable(),
            [
                "admin", "create-company", "--data-dir", directory.path, "--name", "Shared", "--admin-email",
                "a@example.com", "--password-stdin",
            ], environment: environment, input: "a-long-shared-password\n")
        #expect(creation.status == 0)

        let first = try await ServeProcess(directory: directory, environment: environment)
        let second = try await ServeProcess(directory: directory, environment: environment)
        defer {
            first.stop()
            second.stop()
        }
        try await blocking {
            let good = #"{"email":"a@example.com","password":"a-long-shared-password"}"#
            let bad = #"{"email":"a@example.com","password":"not-the-password"}"#
            let signedIn = try first.request("POST", "/api/v1/auth/login", body: good)
            #expect(signedIn.status == 200)
            let token = try #require(
                (try JSONSerialization.jsonObject(with: Data(signedIn.body)) as? [String: Any])?["accessToken"]
                    as? String)
            #expect(try second.request("GET", "/api/v1/me", token: token).status == 200)
            #expect(try first.request("POST", "/api/v1/auth/logout", token: token).status == 204)
            #expect(
                try second.request("GET", "/api/v1/me", token: token).status == 401,
                "revoked on one, refused by the other")

            for server in [first, second, first, second, first] {
                #expect(try server.request("POST", "/api/v1/auth/login", body: bad).status == 401)
            }
            #expect(
                try second.request("POST", "/api/v1/auth/login", body: good).status == 429, "five failures across both")
            #expect(try first.request("POST", "/api/v1/auth/login", body: good).status == 429)
        }
    }

    /// A company in a fresh PostgreSQL, and the environment its processes share (keys included).
    struct SharedStore {
        let urls: (url: String, ownerURL: String)
        let directory: TemporaryDirectory
        let masterKey: [UInt8]
        let companyID: String

        var environment: [String: String] {
            [
                "CALLCOACH_DATABASE_URL": urls.url, "CALLCOACH_DATABASE_OWNER_URL": urls.ownerURL,
                "CALLCOACH_MASTER_KEY": Data(masterKey).base64EncodedString(),
            ]
        }

        static func make() async throws -> SharedStore {
            let urls = try #require(try await TestDatabase.freshPostgres())
            let directory = try TemporaryDirectory()
            let masterKey = SecureRandom.bytes(32)
            var store = SharedStore(urls: urls, directory: directory, masterKey: masterKey, companyID: "")
            let environment = store.environment
            let creation = try await blocking {
                try run(
                    callcoachExecutable(),
                    [
                        "admin", "create-company", "--data-dir", directory.path, "--name", "Queue Co",
                        "--admin-email", "q@example.com", "--password-stdin",
                    ], environment: environment, input: "a-long-queue-password\n")
            }
            store = SharedStore(
                urls: urls, directory: directory, masterKey: masterKey,
                companyID: try #require(creation.output.split(separator: " ").dropFirst().first.map(String.init)))
            return store
        }

        var scope: TenantScope { .system(companyID: companyID) }

        func withDatabase<Result: Sendable>(_ body: (PostgresDatabase) async throws -> Result) async throws -> Result {
            let database = try PostgresDatabase(url: urls.url, ownerURL: urls.ownerURL, size: 1)
            defer { database.close() }
            return try await body(database)
        }

        /// Queues calls as an upload would: each its encrypted blob, its row and its job.
        func queue(_ source: CallSource, bytes: [UInt8], count: Int) async throws -> [String] {
            let blobs = BlobStore(root: directory.file("blobs"), keys: BlobKeys(masterKey: masterKey))
            let scope = self.scope
            return try await withDatabase { database in
                var ids: [String] = []
                for batch in stride(from: 0, to: count, by: 100) {
                    var written: [(Call, BlobKey, Int, String)] = []
                    for _ in batch..<min(count, batch + 100) {
                        let call = Call(
                            id: Identifier.make(), companyID: companyID, source: source,
                            mediaFormat: source == .audio ? "wav" : "json", uploadedBy: TenantScope.systemActor,
                            createdAt: Date())
                        let key = try #require(
                            BlobKey(scope: scope, collection: source == .audio ? "audio" : "transcripts", id: call.id))
                        let writer = try blobs.writer(key, version: 1, keyVersion: 1)
                        try writer.write(bytes)
                        written.append((call, key, bytes.count, try writer.finish()))
                    }
                    let rows = written
                    try await database.write(scope.context) { connection in
                        for (call, key, size, digest) in rows {
                            try CallRecords(scope: scope).insert(call, idempotencyKey: nil, connection)
                            try BlobVersions(scope: scope).record(
                                key, version: 1, keyVersion: 1, size: size, sha256: digest, at: call.createdAt,
                                connection)
                            try JobQueue.enqueue(
                                companyID: companyID, kind: "process_call", subject: call.id, at: call.createdAt,
                                connection)
                        }
                    }
                    ids += rows.map(\.0.id)
                }
                return ids
            }
        }

        /// Waits until `count` calls are ready (or the deadline passes) and returns how many are.
        func waitForReady(_ count: Int, seconds: Double) async throws -> Int {
            let deadline = Date().addingTimeInterval(seconds)
            var ready = 0
            while ready < count && Date() < deadline {
                try await Task.sleep(for: .milliseconds(250))
                ready = try await withDatabase { database in
                    try await database.read(.platform) { connection in
                        try connection.queryOne("SELECT COUNT(*) AS n FROM calls WHERE status = 'ready'")?.decode("n")
                            ?? 0
                    }
                }
            }
            return ready
        }

        func deadLetters() async throws -> Int {
            try await withDatabase { database in
                try await database.read(.platform) { try JobQueue.allDeadLetters(limit: 5000, $0).count }
            }
        }
    }

    /// The calls a process reported ready, from its log.
    static func readyCalls(_ process: ServeProcess) -> [String] {
        process.logLines.filter { $0.contains("\"call.ready\"") }.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["call_id"] as? String
        }
    }

    @Test func twoWorkerProcessesRunAThousandJobsEachExactlyOnce() async throws {
        let store = try await SharedStore.make()
        let transcript = Array(
            try JSON.encode(try TranscriptParser.parse(Array(sampleTranscript.utf8), format: .json)))
        let ids = try await store.queue(.transcript, bytes: transcript, count: 1000)
        let first = try await ServeProcess(
            "worker", directory: store.directory, environment: store.environment, arguments: ["--workers", "2"])
        let second = try await ServeProcess(
            "worker", directory: store.directory, environment: store.environment, arguments: ["--workers", "2"])
        defer {
            first.stop()
            second.stop()
        }
        #expect(try await store.waitForReady(1000, seconds: 120) == 1000)
        let (byFirst, bySecond) = (Self.readyCalls(first), Self.readyCalls(second))
        print("jobs split between the worker processes: \(byFirst.count) and \(bySecond.count)")
        #expect(byFirst.count + bySecond.count == 1000, "each job ran once")
        #expect(Set(byFirst + bySecond) == Set(ids))
        #expect(!byFirst.isEmpty && !bySecond.isEmpty, "both processes took jobs")
        #expect(try await store.deadLetters() == 0)
        #expect(try await store.withDatabase { db in try await db.read(.platform) { try JobQueue.pending($0) } } == 0)
    }

    @Test func aWorkerKilledMidJobLosesNothing() async throws {
        let store = try await SharedStore.make()
        let standIn = try TranscriptionStandIn(phrase: "hello there")
        defer { standIn.stop() }
        standIn.delay(.seconds(30))
        let scope = store.scope
        try await store.withDatabase { database in
            try await database.write(scope.context) { connection in
                try AIConfigurations(scope: scope).save(
                    AIConfiguration(
                        transcriber: "openai-compatible", baseURL: standIn.baseURL, model: "m", updatedAt: Date(),
                        updatedBy: TenantScope.systemActor), connection)
            }
        }
        let scratch = try TemporaryDirectory()
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.monoTelephoneCall(in: scratch))))
        let id = try #require(try await store.queue(.audio, bytes: audio, count: 1).first)

        let doomed = try await ServeProcess(
            "worker", directory: store.directory, environment: store.environment,
            arguments: ["--workers", "1", "--job-lease", "3"])
        let deadline = Date().addingTimeInterval(30)
        while standIn.received.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(standIn.received.count == 1, "the worker is inside the job, waiting on the provider")
        doomed.kill()
        standIn.delay(.zero)

        let survivor = try await ServeProcess(
            "worker", directory: store.directory, environment: store.environment,
            arguments: ["--workers", "1", "--job-lease", "3"])
        defer { survivor.stop() }
        #expect(try await store.waitForReady(1, seconds: 30) == 1)
        #expect(Self.readyCalls(survivor) == [id], "the job ran again once the dead worker's lease ran out")
        #expect(Self.readyCalls(doomed).isEmpty)
        #expect(standIn.received.count == 2)
        #expect(try await store.deadLetters() == 0)
    }
}

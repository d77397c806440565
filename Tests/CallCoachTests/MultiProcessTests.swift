import CallCoachCrypto
import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

/// Two `callcoach serve` processes on one PostgreSQL: lockouts and revocations live in the
/// database, so what one server decides the other enforces on its next request.
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
}

@testable import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

/// `callcoach ingest` on a real drop folder, as a phone system would fill it. Command-line
/// behaviour, so it runs once, on the SQLite pass.
@Suite(.enabled(if: TestDatabase.dialect == .sqlite)) struct IngestTests {
    /// Runs `callcoach ingest --once` off the cooperative pool, which a waiting child would block.
    func ingest(_ data: TemporaryDirectory, _ drop: TemporaryDirectory, company: String) async throws -> (Int32, String)
    {
        let result = try await blocking {
            try run(
                callcoachExecutable(),
                [
                    "ingest", "--watch", drop.path, "--company", company, "--once", "--settle", "0", "--data-dir",
                    data.path, "--log-level", "error",
                ])
        }
        return (result.status, result.output + result.error)
    }

    func callCount(_ data: TemporaryDirectory) async throws -> Int {
        let database = try SQLiteDatabase(path: DataDirectory(path: data.path).databasePath)
        defer { database.close() }
        return try await database.read(.platform) { connection in
            try connection.queryOne("SELECT COUNT(*) AS n FROM calls")?.decode("n", as: Int.self) ?? 0
        }
    }

    @Test func droppedRecordingsAreStoredOnceOrRefusedWithAReason() async throws {
        let data = try TemporaryDirectory()
        let drop = try TemporaryDirectory()
        let created = try await blocking {
            try run(
                callcoachExecutable(),
                [
                    "admin", "create-company", "--data-dir", data.path, "--name", "Dropco", "--admin-email",
                    "drop@example.com", "--password-stdin",
                ], input: "a-long-drop-password\n")
        }
        let company = try #require(
            created.output.split(separator: " ").dropFirst().first.map(String.init), "\(created.output)")

        let recording = try AudioFixtures.monoTelephoneCall(in: drop)
        let audio = try Data(contentsOf: URL(fileURLWithPath: recording))
        try FileManager.default.removeItem(atPath: recording)
        for name in drop.files() { try FileManager.default.removeItem(atPath: drop.file(name)) }
        try audio.write(to: URL(fileURLWithPath: drop.file("call-1.wav")))
        try Data(#"{"direction":"inbound","externalId":"pbx-1"}"#.utf8).write(
            to: URL(fileURLWithPath: drop.file("call-1.json")))
        try Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(
            to: URL(fileURLWithPath: drop.file("noise.wav")))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: drop.file("noise.json")))
        try audio.write(to: URL(fileURLWithPath: drop.file("sideways.wav")))
        try Data(#"{"direction":"sideways"}"#.utf8).write(to: URL(fileURLWithPath: drop.file("sideways.json")))
        try audio.write(to: URL(fileURLWithPath: drop.file("no-sidecar-yet.wav")))

        let (status, output) = try await ingest(data, drop, company: company)
        #expect(status == 0, "\(output)")
        #expect(output.contains("stored 1, failed 2, waiting 1"), "\(output)")
        #expect(Set(drop.files()) == ["done", "failed", "no-sidecar-yet.wav"])
        #expect(Set(drop.files("done")) == ["call-1.wav", "call-1.json"])
        #expect(
            Set(drop.files("failed")) == [
                "noise.wav", "noise.json", "noise.wav.reason.txt", "sideways.wav", "sideways.json",
                "sideways.wav.reason.txt",
            ])
        let noise = try String(contentsOfFile: drop.file("failed/noise.wav.reason.txt"), encoding: .utf8)
        #expect(noise.contains("WAV, MP3, FLAC or OGG"), "\(noise)")
        let sideways = try String(contentsOfFile: drop.file("failed/sideways.wav.reason.txt"), encoding: .utf8)
        #expect(sideways.contains("direction"), "\(sideways)")
        #expect(try await callCount(data) == 1)

        // The same pair dropped again (a crash between storing and moving) is the same call.
        try audio.write(to: URL(fileURLWithPath: drop.file("call-1-again.wav")))
        try Data(#"{"direction":"inbound","externalId":"pbx-1"}"#.utf8).write(
            to: URL(fileURLWithPath: drop.file("call-1-again.json")))
        let again = try await ingest(data, drop, company: company)
        #expect(again.1.contains("stored 1, failed 0, waiting 1"), "\(again.1)")
        #expect(try await callCount(data) == 1)

        // A store that cannot take the recording (here the blob folder is a file) leaves it in place.
        try FileManager.default.moveItem(atPath: data.file("blobs"), toPath: data.file("blobs-away"))
        try Data().write(to: URL(fileURLWithPath: data.file("blobs")))
        try Data((try Data(contentsOf: URL(fileURLWithPath: drop.file("done/call-1.wav")))) + Data([0, 0])).write(
            to: URL(fileURLWithPath: drop.file("call-2.wav")))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: drop.file("call-2.json")))
        let blocked = try await ingest(data, drop, company: company)
        #expect(blocked.1.contains("stored 0, failed 0, waiting 2"), "\(blocked.1)")
        #expect(drop.files().contains("call-2.wav") && drop.files().contains("call-2.json"))
        try FileManager.default.removeItem(atPath: data.file("blobs"))
        try FileManager.default.moveItem(atPath: data.file("blobs-away"), toPath: data.file("blobs"))
        #expect(try await ingest(data, drop, company: company).1.contains("stored 1, failed 0, waiting 1"))
        #expect(try await callCount(data) == 2)

        let unknown = try await ingest(data, drop, company: "no-such-company")
        #expect(unknown.0 == 1 && unknown.1.contains("no company"), "\(unknown.1)")
        let missing = try await blocking {
            try run(callcoachExecutable(), ["ingest", "--company", company, "--data-dir", data.path])
        }
        #expect(missing.status == 1 && missing.error.contains("--watch"), "\(missing.error)")
    }
}

extension TemporaryDirectory {
    /// The names in the directory, or in one of its subfolders.
    func files(_ folder: String? = nil) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.map(file) ?? path)) ?? []
    }
}

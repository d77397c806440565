import CallCoachCore
@testable import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

@Suite struct BlobMaintenanceTests {
    func versions(_ fixture: TenancyFixture) async throws -> [(collection: String, version: Int, keyVersion: Int)] {
        try await fixture.server.runtime.database.read(.platform) { connection in
            try connection.query("SELECT collection, version, key_version FROM blobs ORDER BY collection, version").map
            {
                (try $0.decode("collection"), try $0.decode("version"), try $0.decode("key_version"))
            }
        }
    }

    @Test func supersededVersionsArePurgedAfterThirtyDaysAndRotationReencryptsTheRest() async throws {
        let fixture = try await TenancyFixture.quiet()
        let runtime = fixture.server.runtime
        let scratch = try TemporaryDirectory()
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.monoTelephoneCall(in: scratch))))
        let callID = try #require(try object(await fixture.upload([.audio(audio)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        // Processing the call again (a re-analysis) writes a second transcript version.
        let scope = TenantScope.system(companyID: fixture.companyA)
        try await runtime.database.write(.platform) {
            try JobQueue.enqueue(
                companyID: fixture.companyA, kind: CallService.processJob, subject: callID, at: Date(), $0)
        }
        try await fixture.server.drainQueue()
        #expect(try await versions(fixture).map(\.collection) == ["audio", "transcripts", "transcripts"])

        let blobs = runtime.processing.pipeline.blobs
        let transcriptKey = try #require(BlobKey(scope: scope, collection: "transcripts", id: callID))
        func maintain(after days: Double) async {
            await Processing.maintain(
                database: runtime.database, blobs: blobs, logger: runtime.logger,
                clock: { Date().addingTimeInterval(days * 86_400) })
        }
        await maintain(after: 29)
        #expect(try await versions(fixture).count == 3, "kept for 30 days")
        #expect((try? blobs.reader(transcriptKey, version: 1)) != nil)
        await maintain(after: 31)
        #expect(try await versions(fixture).map(\.version) == [1, 2], "the superseded transcript is gone")
        #expect((try? blobs.reader(transcriptKey, version: 1)) == nil, "and so is its file")

        let audioKey = try #require(BlobKey(scope: scope, collection: "audio", id: callID))
        let path = runtime.configuration.dataDirectory + "/blobs"
        let before = try filesUnder(path)
        let rotated = try await runtime.database.write(.platform) { try BlobMaintenance.addKeyVersion(at: Date(), $0) }
        #expect(rotated == 2)
        await maintain(after: 0)
        #expect(try await versions(fixture).allSatisfy { $0.keyVersion == 2 }, "every blob is under the new key")
        #expect(try blobs.reader(audioKey, version: 1).keyVersion == 2)
        let after = try filesUnder(path)
        #expect(Set(before.keys) == Set(after.keys) && before.allSatisfy { after[$0.key] != $0.value }, "rewritten")
        let served = await fixture.send(.get, fixture.callsPath("/\(callID)/audio"), as: "adminA")
        #expect(served.status == 200 && served.body == audio, "the recording reads back the same")
    }

    /// Every file under `root` with its bytes.
    func filesUnder(_ root: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let name as String in FileManager.default.enumerator(atPath: root) ?? .init() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder), !isFolder.boolValue
            else { continue }
            files[name] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + name))
        }
        return files
    }
}

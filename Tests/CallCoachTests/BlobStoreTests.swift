import CallCoachCore
import CallCoachCrypto
@testable import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

@Suite struct BlobStoreTests {
    let directory: TemporaryDirectory
    let store: BlobStore
    let scopeA = TenantScope.system(companyID: "company-a")
    let scopeB = TenantScope.system(companyID: "company-b")

    init() throws {
        directory = try TemporaryDirectory()
        store = BlobStore(root: directory.file("blobs"), keys: BlobKeys(masterKey: Array(repeating: 7, count: 32)))
    }

    func write(_ bytes: [UInt8], key: BlobKey, version: Int = 1, chunk: Int = 10_000) throws {
        let writer = try store.writer(key, version: version, keyVersion: 1)
        var offset = 0
        while offset < bytes.count {
            try writer.write(bytes[offset..<min(bytes.count, offset + chunk)])
            offset += chunk
        }
        try writer.finish()
    }

    @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 200_000])
    func roundTripsAndRangeReads(size: Int) throws {
        let key = try #require(BlobKey(scope: scopeA, collection: "audio", id: "call-1"))
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try write(bytes, key: key)
        let reader = try store.reader(key, version: 1)
        #expect(reader.size == size)
        #expect(try reader.read(0..<size) == bytes)
        if size > 70_000 {
            #expect(try reader.read(65_530..<65_550) == Array(bytes[65_530..<65_550]), "across a segment boundary")
            #expect(try reader.read(size - 3..<size + 100) == Array(bytes[(size - 3)...]), "clamped at the end")
        }
        var streamed: [UInt8] = []
        try reader.forEachSegment { streamed += $0 }
        #expect(streamed == bytes)
    }

    @Test func theDiskHoldsNoPlaintext() throws {
        let key = try #require(BlobKey(scope: scopeA, collection: "transcripts", id: "call-2"))
        let canary = Array("the canary phrase is purple elephant seventeen".utf8)
        try write(Array(repeating: canary, count: 3000).flatMap { $0 }, key: key)
        let raw = try #require(FileManager.default.contents(atPath: store.path(key, version: 1)))
        #expect(raw.range(of: Data("purple elephant".utf8)) == nil)
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: (store.path(key, version: 1) as NSString).deletingLastPathComponent)
        #expect(leftovers == ["v1.blob"], "no temporary file survives")
    }

    func tamper(_ key: BlobKey, _ change: (inout [UInt8]) -> Void) throws {
        let path = store.path(key, version: 1)
        var raw = Array(try #require(FileManager.default.contents(atPath: path)))
        change(&raw)
        try Data(raw).write(to: URL(fileURLWithPath: path))
    }

    @Test func flippedSwappedTruncatedAndForeignBlobsFailToDecrypt() throws {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        let sealed = BlobStore.sealedSegmentSize
        let cases: [(String, (inout [UInt8]) -> Void)] = [
            ("flipped byte", { $0[BlobStore.headerSize + 100] ^= 0x01 }),
            (
                "swapped segments",
                { raw in
                    let first = Array(raw[BlobStore.headerSize..<BlobStore.headerSize + sealed])
                    let second = Array(raw[BlobStore.headerSize + sealed..<BlobStore.headerSize + 2 * sealed])
                    raw.replaceSubrange(BlobStore.headerSize..<BlobStore.headerSize + sealed, with: second)
                    raw.replaceSubrange(BlobStore.headerSize + sealed..<BlobStore.headerSize + 2 * sealed, with: first)
                }
            ),
            ("truncated at a segment boundary", { $0.removeLast($0.count - BlobStore.headerSize - 2 * sealed) }),
            ("truncated mid-segment", { $0.removeLast(5000) }),
            ("changed header", { $0[5] ^= 0x40 }),
        ]
        for (what, change) in cases {
            let key = try #require(BlobKey(scope: scopeA, collection: "audio", id: "tamper-\(what.count)"))
            try write(bytes, key: key)
            try tamper(key, change)
            #expect(throws: BlobError.self, "\(what)") {
                let reader = try store.reader(key, version: 1)
                _ = try reader.read(0..<reader.size)
            }
        }
        let original = try #require(BlobKey(scope: scopeA, collection: "audio", id: "moved"))
        try write(bytes, key: original)
        let foreign = try #require(BlobKey(scope: scopeB, collection: "audio", id: "moved"))
        try FileManager.default.createDirectory(
            atPath: (store.path(foreign, version: 1) as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: store.path(original, version: 1), toPath: store.path(foreign, version: 1))
        #expect(throws: BlobError.tampered, "another company's key does not open it") {
            _ = try store.reader(foreign, version: 1).read(0..<10)
        }
        let otherMaster = BlobStore(root: store.root, keys: BlobKeys(masterKey: Array(repeating: 8, count: 32)))
        #expect(throws: BlobError.tampered) { _ = try otherMaster.reader(original, version: 1).read(0..<10) }
    }

    @Test func anAbortedWriteLeavesNothing() throws {
        let key = try #require(BlobKey(scope: scopeA, collection: "audio", id: "aborted"))
        let writer = try store.writer(key, version: 1, keyVersion: 1)
        try writer.write([UInt8](repeating: 1, count: 100_000))
        writer.abort()
        let folder = (store.path(key, version: 1) as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(throws: BlobError.missing) { _ = try store.reader(key, version: 1) }
    }
}

@Suite struct JobQueueTests {
    let directory: TemporaryDirectory
    let database: any Database

    init() async throws {
        directory = try TemporaryDirectory()
        database = try await TestDatabase.make(in: directory)
        try await Migrator(logger: Logger(sink: MemorySink())).migrate(database)
        try await database.write(.platform) {
            try IdentityRecords.insert(Company(id: "co", name: "Co", createdAt: Date()), $0)
        }
    }

    @Test func leasesRetriesBackoffAndDeadLetters() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try await database.write(.platform) {
            try JobQueue.enqueue(
                companyID: "co", kind: "process_call", subject: "call-1", at: start, maxAttempts: 2, $0)
        }
        let first = try #require(
            try await database.write(.platform) { try JobQueue.claim(owner: "w1", now: start, lease: 60, $0) })
        #expect(first.attempts == 1)
        #expect(
            try await database.write(.platform) { try JobQueue.claim(owner: "w2", now: start, lease: 60, $0) } == nil,
            "a leased job is invisible")
        // The first worker dies: after the lease the job runs again elsewhere.
        let later = start.addingTimeInterval(61)
        let second = try #require(
            try await database.write(.platform) { try JobQueue.claim(owner: "w2", now: later, lease: 60, $0) })
        #expect(second.id == first.id && second.attempts == 2)
        #expect(
            try await database.write(.platform) { try JobQueue.heartbeat(first, owner: "w1", until: later, $0) }
                == false, "the dead worker's lease is gone")
        let letter = try await database.write(.platform) {
            try JobQueue.fail(second, owner: "w2", error: "decoder crashed", now: later, $0)
        }
        #expect(letter?.error == "decoder crashed", "the last attempt makes a dead letter")
        let scope = TenantScope.system(companyID: "co")
        let letters = try await database.read(scope.context) { try DeadLetters(scope: scope).all(limit: 10, $0) }
        #expect(letters.map(\.subject) == ["call-1"])
        let other = TenantScope.system(companyID: "elsewhere")
        #expect(try await database.read(other.context) { try DeadLetters(scope: other).all(limit: 10, $0) }.isEmpty)
        _ = try await database.write(scope.context) {
            try DeadLetters(scope: scope).requeue(id: letters[0].id, at: later, $0)
        }
        let again = try #require(
            try await database.write(.platform) { try JobQueue.claim(owner: "w3", now: later, lease: 60, $0) })
        #expect(again.attempts == 1, "a re-queued job starts afresh")
        #expect(
            try await database.write(.platform) { try JobQueue.fail(again, owner: "w3", error: "x", now: later, $0) }
                == nil)
        #expect(
            try await database.write(.platform) {
                try JobQueue.claim(owner: "w3", now: later.addingTimeInterval(4), lease: 60, $0)
            }
                == nil, "waits out the backoff")
        #expect(
            try await database.write(.platform) {
                try JobQueue.claim(owner: "w3", now: later.addingTimeInterval(5), lease: 60, $0)
            }
                != nil)
        #expect(JobQueue.backoff(afterAttempt: 1) == 5 && JobQueue.backoff(afterAttempt: 3) == 20)
        #expect(JobQueue.backoff(afterAttempt: 40) == 3600)
    }

    @Test func concurrentClaimsNeverShareAJob() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await database.write(.platform) { connection in
            for index in 0..<200 {
                try JobQueue.enqueue(companyID: "co", kind: "k", subject: "s\(index)", at: now, connection)
            }
        }
        let database = self.database
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try await database.write(
                        .platform,
                        { connection in
                            try JobQueue.claim(owner: "w\(worker)", now: now, lease: 600, connection)
                        })
                    {
                        mine.append(job.subject)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200)
    }
}

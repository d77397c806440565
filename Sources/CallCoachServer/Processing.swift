import CallCoachCore
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// The background side of a process: call-processing workers, and the blob maintenance that
/// purges superseded versions after 30 days and re-encrypts blobs after a key rotation.
public final class Processing: Sendable {
    public static let retention: TimeInterval = 30 * 86_400

    let pipeline: CallPipeline
    let workers: [Worker]
    private let tasks: [Task<Void, Never>]

    init(
        database: any Database, blobs: BlobStore, keys: KeyRing, engines: Engines, dataDirectory: String,
        links: String, workers count: Int,
        lease: TimeInterval = 120, logger: Logger, metrics: Metrics, clock: @escaping @Sendable () -> Date
    ) {
        let pipeline = CallPipeline(
            database: database, blobs: blobs,
            ai: AISettings(database: database, key: keys.settingsSecretKey, engines: engines),
            workDirectory: dataDirectory + "/work", links: links, logger: logger, metrics: metrics, clock: clock)
        self.pipeline = pipeline
        let processID = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(Identifier.make().prefix(6))"
        workers = (0..<count).map { index in
            Worker(
                id: "\(processID)-\(index)", database: database, pipeline: pipeline, logger: logger, metrics: metrics,
                clock: clock, lease: lease)
        }
        var tasks = workers.map { worker in Task { await worker.run() } }
        tasks.append(
            Task {
                while !Task.isCancelled {
                    await Self.maintain(database: database, blobs: blobs, logger: logger, clock: clock)
                    try? await Task.sleep(for: .seconds(3600))
                }
            })
        self.tasks = tasks
    }

    public func stop() {
        for task in tasks { task.cancel() }
    }

    /// One maintenance pass: purge versions superseded more than 30 days ago, then re-encrypt up
    /// to a batch of blobs still under an older key.
    static func maintain(
        database: any Database, blobs: BlobStore, logger: Logger, clock: @Sendable () -> Date, batch: Int = 500
    ) async {
        do {
            let cutoff = clock().addingTimeInterval(-retention)
            for version in try await database.read(.platform, { try BlobMaintenance.superseded(before: cutoff, $0) }) {
                guard let key = blobKey(version) else { continue }
                blobs.remove(key, version: version.version)
                try await database.write(.platform) { try BlobMaintenance.forget(version, $0) }
            }
            let current = try await database.read(.platform) { try BlobMaintenance.currentKeyVersion($0) }
            let stale = try await database.read(.platform) {
                try BlobMaintenance.underOlderKeys(than: current, limit: batch, $0)
            }
            for version in stale {
                guard let key = blobKey(version) else { continue }
                try rekey(blobs, key: key, version: version.version, to: current)
                try await database.write(.platform) { try BlobMaintenance.rekeyed(version, to: current, $0) }
            }
            if !stale.isEmpty { logger.info("blob.rekeyed", "", [.count: .int(stale.count)]) }
        } catch {
            logger.warning("blob.maintenance.failed", "blob maintenance could not finish; it runs again later")
        }
    }

    /// Rewrites one stored version under `keyVersion`, in place: a new file moved over the old one.
    static func rekey(_ blobs: BlobStore, key: BlobKey, version: Int, to keyVersion: Int) throws {
        let reader = try blobs.reader(key, version: version)
        guard reader.keyVersion != keyVersion else { return }
        let writer = try blobs.writer(key, version: version, keyVersion: keyVersion)
        do {
            try reader.forEachSegment { try writer.write($0) }
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }

    static func blobKey(_ version: BlobMaintenance.StoredVersion) -> BlobKey? {
        BlobKey(scope: .system(companyID: version.companyID), collection: version.collection, id: version.id)
    }
}

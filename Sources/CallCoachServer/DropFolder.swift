import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// The telephony drop: a folder where a phone system leaves recordings, each with a JSON sidecar
/// of the same name (`call-17.wav` and `call-17.json`, the sidecar holding the upload's metadata).
///
/// A recording is taken once both files have been left unchanged for the settle time, stored
/// exactly as an upload is, and only then moved to `done/`. One that cannot be used goes to
/// `failed/` with a `NAME.reason.txt` beside it. When the store cannot take it (a full disk, the
/// database away) it stays where it is and is tried again on the next look. The idempotency key
/// is a SHA-256 over the sidecar and the recording, so a pair taken again after a crash between
/// storing and moving becomes the same call, not a second one.
struct DropFolder: Sendable {
    static let extensions: Set<String> = ["wav", "mp3", "flac", "ogg"]

    let directory: String
    let scope: TenantScope
    let calls: CallService
    let logger: Logger
    let settle: TimeInterval
    let clock: @Sendable () -> Date

    struct Outcome: Equatable {
        var stored = 0
        var failed = 0
        var waiting = 0
    }

    /// One look at the folder.
    func scan() async throws -> Outcome {
        let manager = FileManager.default
        for folder in ["done", "failed"] {
            try manager.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
        }
        var outcome = Outcome()
        let names = try manager.contentsOfDirectory(atPath: directory).sorted()
        for name in names where Self.extensions.contains((name as NSString).pathExtension.lowercased()) {
            let audio = "\(directory)/\(name)"
            let sidecar = "\(directory)/\((name as NSString).deletingPathExtension).json"
            guard settled(audio), settled(sidecar) else {
                outcome.waiting += 1
                continue
            }
            do {
                let metadata = Array(try Data(contentsOf: URL(fileURLWithPath: sidecar)))
                let (call, created) = try await calls.ingest(
                    scope, audioPath: audio, metadata: metadata,
                    idempotencyKey: try Self.fingerprint(audio, metadata: metadata))
                try move([audio, sidecar], to: "done")
                outcome.stored += 1
                logger.info(
                    created ? "ingest.stored" : "ingest.already_stored", "",
                    [.companyID: .string(scope.companyID), .callID: .string(call.id)])
            } catch let error as HTTPError where error.status != 507 && error.status < 500 {
                try move([audio, sidecar], to: "failed")
                let reason = (error.detail ?? "The recording was refused (\(error.status)).") + "\n"
                try Data(reason.utf8).write(
                    to: URL(fileURLWithPath: "\(directory)/failed/\(name).reason.txt"), options: .atomic)
                outcome.failed += 1
                logger.warning(
                    "ingest.refused", "a dropped recording was refused; its reason is beside it in failed/",
                    [.companyID: .string(scope.companyID), .status: .int(error.status)])
            } catch {
                // The store could not take it now; it stays in place for the next look.
                outcome.waiting += 1
                logger.warning(
                    "ingest.deferred", "a dropped recording could not be stored now; it is tried again later",
                    [.companyID: .string(scope.companyID), .errorType: .string("\(type(of: error))")])
            }
        }
        return outcome
    }

    /// Looks at the folder every `interval` until cancelled.
    func watch(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                _ = try await scan()
            } catch {
                logger.error("ingest.scan_failed", "the drop folder could not be read")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Whether the file exists and has not changed for the settle time.
    private func settled(_ path: String) -> Bool {
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        else { return false }
        return clock().timeIntervalSince(modified) >= settle
    }

    /// Moves files into a subfolder, replacing any of the same name there.
    private func move(_ paths: [String], to folder: String) throws {
        for path in paths {
            let target = "\(directory)/\(folder)/\((path as NSString).lastPathComponent)"
            if rename(path, target) != 0 { throw CocoaError(.fileWriteUnknown) }
        }
    }

    /// `ingest:` and the SHA-256 of the sidecar's digest followed by the recording, read a mebibyte at a time.
    static func fingerprint(_ path: String, metadata: [UInt8]) throws -> String {
        guard let file = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoPermission) }
        defer { try? file.close() }
        let digest = SHA256Stream()
        digest.update(SHA256.hash(metadata))
        while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(chunk) }
        return "ingest:" + Hex.encode(digest.finish())
    }
}

import CallCoachCrypto
import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation

// `Benchmarks upload [MB]`: throughput of a streamed call upload into the encrypted store, over
// real HTTPS on loopback, and of the encrypted store alone.

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func uploadBenchmark(megabytes: Int) async throws {
    let bytes = megabytes * 1_000_000
    let server = try await LiveServer.start { $0.workers = 0 }
    defer { server.runtime.stop() }
    let identity = server.runtime.identity
    let (company, _) = try await identity.createCompany(
        name: "Bench", adminEmail: "bench@example.com", password: "benchmark-password")
    guard
        case .signedIn(let tokens) = try await identity.login(
            email: "bench@example.com", password: "benchmark-password", remoteAddress: "127.0.0.1")
    else { fatalError("sign-in failed") }
    let baseline = StreamedUpload.peakResidentBytes() ?? 0
    print("upload of \(megabytes) MB over HTTPS on loopback into the encrypted store (SQLite)")
    let upload = StreamedUpload(companyID: company.id, accessToken: tokens.accessToken, audioBytes: bytes)
    let port = server.httpsPort
    let started = ContinuousClock.now
    let answer = try await Task.detached { try upload.send(port: port) }.value
    let elapsed = seconds(started.duration(to: .now))
    guard answer.status == 202 else { fatalError("the upload was refused: \(answer.status)") }
    let peak = StreamedUpload.peakResidentBytes() ?? 0
    print(String(format: "  end to end %31.1f MB/s (%.2f s)", Double(bytes) / 1e6 / elapsed, elapsed))
    print(
        "  peak resident memory of this process (client and server) \(peak / 1_048_576) MiB,"
            + " \(baseline / 1_048_576) MiB before")

    let blobs = BlobStore(root: server.directory.file("bench-blobs"), keys: BlobKeys(masterKey: SecureRandom.bytes(32)))
    guard let key = BlobKey(scope: .system(companyID: company.id), collection: "audio", id: "bench") else { return }
    let chunk = SecureRandom.bytes(1 << 20)
    let storeStarted = ContinuousClock.now
    let writer = try blobs.writer(key, version: 1, keyVersion: 1)
    var written = 0
    while written < bytes {
        let count = min(chunk.count, bytes - written)
        try writer.write(count == chunk.count ? chunk : Array(chunk[..<count]))
        written += count
    }
    _ = try writer.finish()
    let storeElapsed = seconds(storeStarted.duration(to: .now))
    print(String(format: "  encrypted store alone %20.1f MB/s", Double(bytes) / 1e6 / storeElapsed))
}

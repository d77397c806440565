import CallCoachCrypto
import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import Foundation

// Repeatable measurements that print figures. Never part of `swift test`.
// Usage: Benchmarks auth [ITERATIONS]

func microseconds(_ duration: Duration, _ count: Int) -> String {
    let total = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    return String(format: "%.1f", total / Double(count))
}

func measure(_ name: String, _ count: Int, _ body: () async throws -> Void) async rethrows {
    for _ in 0..<min(1000, count) { try await body() }
    let started = ContinuousClock.now
    for _ in 0..<count { try await body() }
    print(
        "\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(microseconds(started.duration(to: .now), count)) µs/op"
    )
}

/// The cost of verifying one authenticated request: signature, claims, and the session lookup
/// that makes revocation immediate.
func authBenchmark(iterations: Int) async throws {
    let directory = NSTemporaryDirectory() + "callcoach-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let database = try SQLiteDatabase(path: directory + "/bench.sqlite")
    defer { database.close() }
    let logger = Logger(level: .warning, sink: MemorySink())
    try await Migrator(logger: logger).migrate(database)
    let keys = try KeyRing(masterKey: SecureRandom.bytes(32), signingSeed: SecureRandom.bytes(32))
    let identity = try IdentityService(
        database: database, keys: keys, settings: .init(publicURL: "https://localhost:8443"), logger: logger,
        metrics: Metrics())
    _ = try await identity.createCompany(name: "Bench", adminEmail: "bench@example.com", password: "benchmark-password")
    guard
        case .signedIn(let tokens) = try await identity.login(
            email: "bench@example.com", password: "benchmark-password", remoteAddress: "127.0.0.1")
    else { fatalError("sign-in failed") }
    let claims = try keys.tokenSigner.verify(tokens.accessToken, now: Int64(Date().timeIntervalSince1970))

    print("token verification, \(iterations) iterations each, SQLite in \(directory)")
    await measure("JWT signature and claims (Ed25519)", iterations) {
        _ = try? keys.tokenSigner.verify(tokens.accessToken, now: Int64(Date().timeIntervalSince1970))
    }
    try await measure("session and user lookup (revocation check)", iterations) {
        _ = try await database.read { connection in
            (
                try SessionRecords.session(id: claims.sid, connection),
                try IdentityRecords.user(id: claims.sub, connection)
            )
        }
    }
    try await measure("authenticate(): both, as every request does", iterations) {
        _ = try await identity.authenticate(accessToken: tokens.accessToken)
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "auth":
    try await authBenchmark(iterations: arguments.dropFirst().first.flatMap { Int($0) } ?? 20_000)
default:
    print("usage: Benchmarks auth [ITERATIONS]")
    exit(2)
}

import CallCoachCrypto
import CallCoachHTTP
import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import Foundation

// Repeatable measurements that print figures. Never part of `swift test`.
// Usage: Benchmarks auth|ratelimit|analysis|scoring|upload|asr|embeddings [ITERATIONS, MB, THREADS or SENTENCES]

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

/// The median time the edge rate limiter adds to a request: the same trivial route answered
/// in-process with and without it, each request timed on its own, on SQLite.
func rateLimitBenchmark(iterations: Int) async throws {
    let directory = NSTemporaryDirectory() + "callcoach-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let database = try SQLiteDatabase(path: directory + "/bench.sqlite")
    defer { database.close() }
    let logger = Logger(level: .warning, sink: MemorySink())
    try await Migrator(logger: logger).migrate(database)
    let keys = try KeyRing(masterKey: SecureRandom.bytes(32), signingSeed: SecureRandom.bytes(32))
    var router = Router()
    router.add(.get, "/bench", access: BenchmarkAccess()) { _ in Response.text("ok") }
    let limiter = ServerRuntime.edgeLimiter(
        database: database, keys: keys, perMinute: 10_000_000, logger: logger, metrics: Metrics())
    let plain = HTTPApplication(router: router, logger: logger)
    let limited = HTTPApplication(router: router, middleware: [limiter], logger: logger)

    func medianMicroseconds(_ application: HTTPApplication) async -> Double {
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        for index in 0..<(iterations + 500) {
            // A few hundred client addresses, as a busy server sees.
            let request = Request(method: .get, target: "/bench", remoteAddress: "198.51.100.\(index % 250)")
            let started = ContinuousClock.now
            _ = await application.respond(to: request)
            let elapsed = started.duration(to: .now)
            if index >= 500 {
                samples.append(
                    Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            }
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    print("edge rate limiter, \(iterations) requests each, SQLite in \(directory)")
    let without = await medianMicroseconds(plain)
    let with = await medianMicroseconds(limited)
    print(String(format: "median without limiter %38.1f µs", without))
    print(String(format: "median with limiter %41.1f µs", with))
    print(String(format: "median cost of the limiter %34.1f µs (target under 300 µs)", with - without))
}

struct BenchmarkAccess: RouteAccess {
    var description: String { "benchmark" }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "auth":
    try await authBenchmark(iterations: arguments.dropFirst().first.flatMap { Int($0) } ?? 20_000)
case "analysis":
    analysisBenchmark()
case "upload":
    try await uploadBenchmark(megabytes: arguments.dropFirst().first.flatMap { Int($0) } ?? 200)
case "scoring":
    try scoringBenchmark()
case "asr":
    try await speechBenchmark(threads: arguments.dropFirst().first.flatMap { Int($0) } ?? 2)
case "embeddings":
    try await embeddingBenchmark(sentences: arguments.dropFirst().first.flatMap { Int($0) } ?? 256)
case "ratelimit":
    try await rateLimitBenchmark(iterations: arguments.dropFirst().first.flatMap { Int($0) } ?? 20_000)
default:
    print(
        "usage: Benchmarks auth|ratelimit|analysis|scoring|upload|asr|embeddings [ITERATIONS, MB, THREADS or SENTENCES]"
    )
    exit(2)
}

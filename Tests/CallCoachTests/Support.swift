import CallCoachCrypto
import CallCoachHTTP
import CallCoachTelemetry
import CallCoachTesting
import Foundation

/// An `HTTPApplication` over `router` whose log lines stay in memory.
func makeApplication(
    middleware: [any Middleware] = [], limits: RequestLimits = RequestLimits(), logs: MemorySink = MemorySink(),
    _ build: (inout Router) -> Void
) -> HTTPApplication {
    var router = Router()
    build(&router)
    return HTTPApplication(
        router: router, middleware: middleware, limits: limits, logger: Logger(level: .debug, sink: logs))
}

/// A bare HTTP server on a free loopback port, for tests below the product's own routes.
func startServer(
    _ application: HTTPApplication, tls: Bool = true, connectionTimeout: Int = 30
) throws -> HTTPServer {
    let identity = try tls ? testIdentity() : nil
    return try HTTPServer(
        application: application,
        configuration: ListenerConfiguration(
            host: "127.0.0.1", port: 0, tls: identity, threads: 2, connectionTimeout: connectionTimeout))
}

private let sharedIdentity = Result { try DevelopmentCertificate.generate() }

func testIdentity() throws -> TLSIdentity {
    let certificate = try sharedIdentity.get()
    return TLSIdentity(certificatePEM: certificate.certificatePEM, privateKeyPEM: certificate.privateKeyPEM)
}

/// The package's root directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The `callcoach` executable built beside the test bundle.
func callcoachExecutable() -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("callcoach").path
}

/// Decodes a problem document from a response body.
func problem(_ body: [UInt8]) throws -> Problem {
    try JSON.decode(Problem.self, from: body)
}

/// A `callcoach serve` child process on a free loopback port, or a `callcoach worker`. Its log
/// lines are collected from the start as they come, so a chatty process never blocks on a full
/// pipe and no line is missed.
///
/// `@unchecked Sendable`: the test drives each process from one task at a time; `logLines` is locked.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    /// The HTTPS port; 0 for a worker.
    private(set) var port: UInt16 = 0
    private let lock = NSLock()
    private var collected: [UInt8] = []

    init(
        _ command: String = "serve", directory: TemporaryDirectory, environment: [String: String],
        arguments: [String] = []
    ) async throws {
        process.executableURL = URL(fileURLWithPath: callcoachExecutable())
        let listener = ["--host", "127.0.0.1", "--port", "0", "--admin-port", "off"]
        process.arguments = [command, "--data-dir", directory.path] + (command == "serve" ? listener : []) + arguments
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected += data }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && process.isRunning {
            if command == "worker", logLines.contains(where: { $0.contains("worker.started") }) { return }
            if let line = logLines.first(where: { $0.contains("server.listening") && $0.contains("https") }),
                let fields = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let port = fields["port"] as? Int
            {
                self.port = UInt16(port)
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: logLines.joined(separator: "\n")])
    }

    /// The log lines written so far.
    var logLines: [String] {
        lock.withLock { String(decoding: collected, as: UTF8.self).split(separator: "\n").map(String.init) }
    }

    /// The peak resident memory of the process so far, in bytes.
    var peakResidentBytes: Int? { StreamedUpload.peakResidentBytes(processID: process.processIdentifier) }

    func request(_ method: String, _ path: String, token: String? = nil, body: String = "") throws -> WireResponse {
        var headers = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try WireClient(port: port, tls: .modern).request(
            method, path, headers: headers, body: Array(body.utf8))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// `kill -9`: the process gets no chance to finish anything.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

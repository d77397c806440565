import Foundation

/// A private PostgreSQL server for one test, which the test may stop and start again.
public final class PostgresServer: @unchecked Sendable {
    // @unchecked Sendable: the test drives it from one task at a time.
    public let port: UInt16
    private let directory: TemporaryDirectory
    private let binaries: String

    /// Initialises a cluster in a new directory and starts it on a free port.
    public init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw CocoaError(.fileNoSuchFile)
        }
        binaries = "/usr/lib/postgresql/\(newest)/bin"
        directory = try TemporaryDirectory(prefix: "callcoach-pg")
        port = try freeLoopbackPort()
        if getuid() == 0 { try Self.shell("/bin/chown", ["postgres:postgres", directory.path]) }
        try runAsOwner(
            binaries + "/initdb",
            ["-D", directory.file("data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try start()
    }

    public var superuserURL: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    public func start() throws {
        let options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory.path) -c fsync=off"
        try runAsOwner(
            binaries + "/pg_ctl",
            [
                "-D", directory.file("data"), "-l", directory.file("server.log"), "-w", "-t", "30", "-o", options,
                "start",
            ])
    }

    public func stop() throws {
        try runAsOwner(binaries + "/pg_ctl", ["-D", directory.file("data"), "-m", "fast", "-w", "stop"])
    }

    deinit {
        try? stop()
    }

    private func runAsOwner(_ program: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.shell("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments)
        } else {
            try Self.shell(program, arguments)
        }
    }

    /// Runs a program to completion with `posix_spawn` and `waitpid`; the server it starts
    /// outlives it, which Foundation's `Process` does not wait for reliably.
    private static func shell(_ program: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, program, &actions, nil, argv, nil) == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { throw CocoaError(.executableLoad) }
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLoopbackPort() throws -> UInt16 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
        }
    }
    return UInt16(bigEndian: address.sin_port)
}

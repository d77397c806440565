import CallCoachHTTP
import CallCoachTelemetry
import Foundation

/// Every setting the program runs with, from command-line flags, `CALLCOACH_*` environment
/// variables and `*_FILE` secret files, in that order of precedence.
///
/// This is the only code that reads the process environment; `scripts/lint-environment` fails
/// the build on any other read.
public struct Configuration: Sendable, Equatable {
    public var dataDirectory = "./data"
    /// `postgres://…` to use PostgreSQL; without it the embedded SQLite file in the data directory.
    public var databaseURL: Secret?
    /// The schema owner's URL, for migrations and the platform path; the server's own role must
    /// own nothing, so row-level security binds it. Without it, `databaseURL` serves both.
    public var databaseOwnerURL: Secret?
    public var host = "0.0.0.0"
    public var port: UInt16 = 8443
    /// A plain-HTTP port that only redirects to HTTPS; off when `nil`.
    public var redirectPort: UInt16?
    /// The loopback-only operations listener (`/healthz`, `/readyz`, `/metrics`); off when `nil`.
    public var adminPort: UInt16? = 9090
    /// The host name used in redirects; without it the request's own host is used when well-formed.
    public var publicHost: String?
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    public var threads = 2
    /// Requests one client address may make per minute, across every server process.
    public var rateLimitPerMinute = 1000
    /// Proxies whose `X-Forwarded-For` names the client; everyone else's is ignored.
    public var trustedProxies: [String] = []
    /// Bot attestation on public write endpoints: the built-in proof of work, or a hosted provider.
    public var attestationProvider = AttestationProvider.proofOfWork
    public var attestationSecret: Secret?
    /// The provider's siteverify address; the public one when `nil`.
    public var attestationVerifyURL: String?
    /// Leading zero bits of SHA-256 a proof-of-work solution must reach.
    public var attestationDifficulty = 16
    /// The largest call upload accepted, in megabytes.
    public var maxUploadMegabytes = 500
    /// Call-processing workers in this process; `nil` takes the command's default.
    public var workers: Int?
    /// Seconds a claimed job stays with its worker between heartbeats.
    public var jobLeaseSeconds = 120
    /// The embedded engines' model files, as `scripts/install-speech` installs them.
    public var modelsDirectory = "/usr/local/share/callcoach/models"
    /// Threads whisper.cpp uses for one recognition.
    public var transcriptionThreads = 2
    /// Days after an evaluation in which its answers may be disputed.
    public var disputeWindowDays = 14
    /// `analyze`: a transcript to go with the recording, and how to print the report.
    public var transcriptFile: String?
    public var outputFormat = OfflineAnalysis.Output.text
    /// `ingest`: the drop folder, whose company it serves, and how it is watched.
    public var watchDirectory: String?
    public var companyID: String?
    public var watchIntervalSeconds = 5
    public var settleSeconds = 2
    public var once = false
    public var connectionTimeoutSeconds = 30
    public var shutdownTimeoutSeconds = 10
    public var logLevel = LogLevel.info
    /// Refuse to start without every secret configured, instead of generating development ones.
    public var production = false
    /// 32 bytes from `CALLCOACH_MASTER_KEY` (base64) or `CALLCOACH_MASTER_KEY_FILE`.
    public var masterKey: Secret?
    /// Bearer token that opens `/metrics` on the public listener.
    public var metricsToken: Secret?
    /// 32-byte Ed25519 seed that signs access tokens (base64), from `CALLCOACH_JWT_SIGNING_KEY(_FILE)`.
    public var jwtSigningKey: Secret?
    /// Seconds a session may go unused before it ends.
    public var sessionIdleTimeoutSeconds = 86_400
    /// The address people reach the server at, used in links sent by e-mail.
    public var publicURL: String?

    /// Where links in e-mail point: the public URL, or this machine's HTTPS port.
    var linkBase: String { publicURL ?? "https://localhost:\(port == 0 ? 8443 : port)" }
    /// `smtp://host:port` (STARTTLS required) or `smtps://host:port`; without it mail goes to the data directory.
    public var smtpURL: String?
    public var smtpUsername: String?
    public var smtpPassword: Secret?
    /// PEM file of certificate authorities trusted for the SMTP server, instead of the system's.
    public var smtpCAFile: String?
    public var mailFrom = "CallCoach <no-reply@callcoach.invalid>"
    /// `admin create-company`: the new company's name, its first administrator, and whether the
    /// password comes on standard input.
    public var companyName: String?
    public var adminEmail: String?
    public var passwordFromStandardInput = false
    /// `admin deactivate-user` and `reactivate-user`: the account.
    public var userEmail: String?

    public init() {}
}

/// A secret value whose description never shows it.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// A configuration mistake, worded for the operator and free of secret values.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

extension Configuration {
    /// The process's environment. Nothing else in the program may read it.
    public static func processEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment
    }

    /// Builds the configuration for `command` from its flags, then the environment, then the defaults.
    ///
    /// - Parameters:
    ///   - arguments: the flags after the subcommand name.
    ///   - environment: usually `processEnvironment()`; tests pass their own.
    ///   - readFile: how `*_FILE` variables are read; tests pass their own.
    public static func load(
        command: Command, arguments: [String], environment: [String: String],
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> Configuration {
        let flags = try parseFlags(arguments, allowed: command.options)
        var configuration = Configuration()
        for option in command.options {
            let value = try option.flag.flatMap { flags[$0] } ?? environmentValue(option, environment, readFile)
            guard let value else { continue }
            try apply(option, value, to: &configuration)
        }
        return configuration
    }

    private static func parseFlags(_ arguments: [String], allowed: [Option]) throws -> [String: String] {
        var flags: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard let option = allowed.first(where: { $0.flag == parts[0] && $0.flag != nil }) else {
                throw ConfigurationError("unknown option \(parts[0])")
            }
            if option.isSwitch {
                guard parts.count == 1 else { throw ConfigurationError("\(parts[0]) takes no value") }
                flags[parts[0]] = "true"
            } else if parts.count == 2 {
                flags[parts[0]] = parts[1]
            } else {
                index += 1
                guard index < arguments.count else { throw ConfigurationError("\(parts[0]) needs a value") }
                flags[parts[0]] = arguments[index]
            }
            index += 1
        }
        return flags
    }

    private static func environmentValue(
        _ option: Option, _ environment: [String: String], _ readFile: (String) throws -> String
    ) throws -> String? {
        let direct = environment[option.variable].flatMap { $0.isEmpty ? nil : $0 }
        guard option.isSecret, let path = environment[option.variable + "_FILE"], !path.isEmpty else {
            return direct
        }
        guard direct == nil else {
            throw ConfigurationError("set either \(option.variable) or \(option.variable)_FILE, not both")
        }
        do {
            return try readFile(path).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ConfigurationError("cannot read \(option.variable)_FILE")
        }
    }

    private static func apply(_ option: Option, _ value: String, to configuration: inout Configuration) throws {
        let name = option.flag ?? option.variable
        switch option.key {
        case .dataDirectory: configuration.dataDirectory = value
        case .databaseURL:
            guard value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
                throw ConfigurationError("\(option.variable) must be a postgres:// URL")
            }
            configuration.databaseURL = Secret(value)
        case .databaseOwnerURL:
            guard value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
                throw ConfigurationError("\(option.variable) must be a postgres:// URL")
            }
            configuration.databaseOwnerURL = Secret(value)
        case .host: configuration.host = value
        case .port: configuration.port = try port(value, name, allowZero: true)
        case .redirectPort: configuration.redirectPort = value == "off" ? nil : try port(value, name, allowZero: true)
        case .adminPort: configuration.adminPort = value == "off" ? nil : try port(value, name, allowZero: true)
        case .publicHost: configuration.publicHost = value
        case .tlsCertificateFile: configuration.tlsCertificateFile = value
        case .tlsKeyFile: configuration.tlsKeyFile = value
        case .threads: configuration.threads = try integer(value, name, in: 1...64)
        case .rateLimit: configuration.rateLimitPerMinute = try integer(value, name, in: 1...1_000_000)
        case .trustedProxies:
            guard let proxies = TrustedProxies(list: value) else {
                throw ConfigurationError("\(name) must be a comma-separated list of IP addresses or CIDR blocks")
            }
            configuration.trustedProxies =
                proxies.networks.isEmpty
                ? []
                : value.split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
        case .attestationProvider:
            guard let provider = AttestationProvider(rawValue: value) else {
                throw ConfigurationError("\(name) must be pow, turnstile or recaptcha")
            }
            configuration.attestationProvider = provider
        case .attestationSecret: configuration.attestationSecret = Secret(value)
        case .attestationVerifyURL:
            guard let url = URL(string: value), ["https", "http"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError("\(name) must be an http(s):// URL")
            }
            configuration.attestationVerifyURL = value
        case .attestationDifficulty: configuration.attestationDifficulty = try integer(value, name, in: 1...32)
        case .maxUploadMegabytes: configuration.maxUploadMegabytes = try integer(value, name, in: 1...10_000)
        case .workers: configuration.workers = try integer(value, name, in: 0...32)
        case .transcriptFile: configuration.transcriptFile = value
        case .jobLease: configuration.jobLeaseSeconds = try integer(value, name, in: 3...3600)
        case .modelsDirectory: configuration.modelsDirectory = value
        case .transcriptionThreads: configuration.transcriptionThreads = try integer(value, name, in: 1...64)
        case .disputeWindowDays: configuration.disputeWindowDays = try integer(value, name, in: 1...365)
        case .watchDirectory: configuration.watchDirectory = value
        case .companyID:
            guard (1...64).contains(value.count) else { throw ConfigurationError("\(name) must be a company id") }
            configuration.companyID = value
        case .watchInterval: configuration.watchIntervalSeconds = try integer(value, name, in: 1...3600)
        case .settleSeconds: configuration.settleSeconds = try integer(value, name, in: 0...3600)
        case .once: configuration.once = try boolean(value, name)
        case .outputFormat:
            guard let format = OfflineAnalysis.Output(rawValue: value) else {
                throw ConfigurationError("\(name) must be json or text")
            }
            configuration.outputFormat = format
        case .connectionTimeout: configuration.connectionTimeoutSeconds = try integer(value, name, in: 1...3600)
        case .shutdownTimeout: configuration.shutdownTimeoutSeconds = try integer(value, name, in: 0...3600)
        case .logLevel:
            guard let level = LogLevel(name: value) else {
                throw ConfigurationError("\(name) must be one of trace, debug, info, warning, error")
            }
            configuration.logLevel = level
        case .production: configuration.production = try boolean(value, name)
        case .masterKey:
            guard let key = Data(base64Encoded: value), key.count == 32 else {
                throw ConfigurationError("\(option.variable) must be 32 bytes in base64")
            }
            configuration.masterKey = Secret(value)
        case .metricsToken:
            guard value.count >= 16 else {
                throw ConfigurationError("\(option.variable) must be at least 16 characters")
            }
            configuration.metricsToken = Secret(value)
        case .jwtSigningKey:
            guard let key = Data(base64Encoded: value), key.count == 32 else {
                throw ConfigurationError("\(option.variable) must be 32 bytes in base64")
            }
            configuration.jwtSigningKey = Secret(value)
        case .sessionIdleTimeout: configuration.sessionIdleTimeoutSeconds = try integer(value, name, in: 60...2_592_000)
        case .publicURL:
            guard let url = URL(string: value), url.scheme == "https", url.host != nil, url.query == nil else {
                throw ConfigurationError("\(name) must be an https:// URL")
            }
            configuration.publicURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        case .smtpURL:
            guard let url = URL(string: value), ["smtp", "smtps"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError("\(name) must look like smtp://host:587 or smtps://host:465")
            }
            configuration.smtpURL = value
        case .smtpUsername: configuration.smtpUsername = value
        case .smtpPassword: configuration.smtpPassword = Secret(value)
        case .smtpCAFile: configuration.smtpCAFile = value
        case .mailFrom: configuration.mailFrom = value
        case .companyName: configuration.companyName = value
        case .adminEmail: configuration.adminEmail = value
        case .passwordFromStandardInput: configuration.passwordFromStandardInput = try boolean(value, name)
        case .userEmail: configuration.userEmail = value
        }
    }

    private static func port(_ value: String, _ name: String, allowZero: Bool) throws -> UInt16 {
        guard let port = UInt16(value), allowZero || port > 0 else {
            throw ConfigurationError("\(name) must be a port number from 0 to 65535")
        }
        return port
    }

    private static func integer(_ value: String, _ name: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw ConfigurationError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func boolean(_ value: String, _ name: String) throws -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(name) must be true or false")
        }
    }
}

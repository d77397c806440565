import Foundation

/// The settings a configuration can hold.
public enum SettingKey: Sendable {
    case rateLimit, trustedProxies, attestationProvider, attestationSecret, attestationVerifyURL,
        attestationDifficulty, maxUploadMegabytes, workers, transcriptFile, outputFormat
    case watchDirectory, companyID, watchInterval, settleSeconds, once, jobLease, modelsDirectory, transcriptionThreads
    case disputeWindowDays
    case dataDirectory, databaseURL, databaseOwnerURL, host, port, redirectPort, adminPort, publicHost,
        tlsCertificateFile, tlsKeyFile,
        threads
    case connectionTimeout, shutdownTimeout, logLevel, production, masterKey, metricsToken
    case jwtSigningKey, sessionIdleTimeout, publicURL, smtpURL, smtpUsername, smtpPassword, smtpCAFile, mailFrom
    case companyName, adminEmail, passwordFromStandardInput, userEmail
}

/// One setting as the operator writes it: a flag, an environment variable, or both.
public struct Option: Sendable {
    public let key: SettingKey
    /// The command-line flag; secrets have none, since command lines are visible to every user.
    public let flag: String?
    public let variable: String
    public let valueName: String
    public let help: String
    public let isSwitch: Bool
    /// Secrets may also come from the file named by `<variable>_FILE`.
    public let isSecret: Bool

    init(
        _ key: SettingKey, flag: String?, variable: String, valueName: String = "", help: String,
        isSwitch: Bool = false, isSecret: Bool = false
    ) {
        self.key = key
        self.flag = flag
        self.variable = variable
        self.valueName = valueName
        self.help = help
        self.isSwitch = isSwitch
        self.isSecret = isSecret
    }

    static let dataDirectory = Option(
        .dataDirectory, flag: "--data-dir", variable: "CALLCOACH_DATA_DIR", valueName: "DIR",
        help: "where the database, keys and development certificate live (default ./data)")
    static let databaseURL = Option(
        .databaseURL, flag: nil, variable: "CALLCOACH_DATABASE_URL",
        help: "postgres://user:password@host:port/database to use PostgreSQL instead of the embedded SQLite",
        isSecret: true)
    static let databaseOwnerURL = Option(
        .databaseOwnerURL, flag: nil, variable: "CALLCOACH_DATABASE_OWNER_URL",
        help: "postgres:// URL of the schema owner, for migrations and platform work (default: CALLCOACH_DATABASE_URL)",
        isSecret: true)
    static let rateLimit = Option(
        .rateLimit, flag: "--rate-limit", variable: "CALLCOACH_RATE_LIMIT_PER_MINUTE", valueName: "N",
        help: "requests per client address per minute, across all servers (default 1000)")
    static let trustedProxies = Option(
        .trustedProxies, flag: "--trusted-proxies", variable: "CALLCOACH_TRUSTED_PROXIES", valueName: "CIDRS",
        help: "comma-separated proxy addresses or blocks whose X-Forwarded-For is believed (default none)")
    static let attestationProvider = Option(
        .attestationProvider, flag: "--attestation", variable: "CALLCOACH_ATTESTATION", valueName: "PROVIDER",
        help: "bot attestation for public forms: pow (built-in proof of work, default), turnstile or recaptcha")
    static let attestationSecret = Option(
        .attestationSecret, flag: nil, variable: "CALLCOACH_ATTESTATION_SECRET",
        help: "Turnstile or reCAPTCHA secret key (or CALLCOACH_ATTESTATION_SECRET_FILE)", isSecret: true)
    static let attestationVerifyURL = Option(
        .attestationVerifyURL, flag: "--attestation-verify-url", variable: "CALLCOACH_ATTESTATION_VERIFY_URL",
        valueName: "URL", help: "the provider's siteverify address (default: the provider's public one)")
    static let attestationDifficulty = Option(
        .attestationDifficulty, flag: "--attestation-difficulty", variable: "CALLCOACH_ATTESTATION_DIFFICULTY",
        valueName: "BITS", help: "leading zero bits a proof-of-work solution needs (default 16)")
    static let maxUpload = Option(
        .maxUploadMegabytes, flag: "--max-upload-mb", variable: "CALLCOACH_MAX_UPLOAD_MB", valueName: "MB",
        help: "largest call upload accepted, in megabytes (default 500)")
    static let workers = Option(
        .workers, flag: "--workers", variable: "CALLCOACH_WORKERS", valueName: "N",
        help: "call-processing workers in this process (default 1 in serve, 2 in worker; 0 for none)")
    static let transcriptFile = Option(
        .transcriptFile, flag: "--transcript", variable: "CALLCOACH_ANALYZE_TRANSCRIPT", valueName: "FILE",
        help: "a JSON, WebVTT or SRT transcript of the recording, for its words")
    static let outputFormat = Option(
        .outputFormat, flag: "--format", variable: "CALLCOACH_ANALYZE_FORMAT", valueName: "json|text",
        help: "json prints the whole report; text (default) a summary")
    static let jobLease = Option(
        .jobLease, flag: "--job-lease", variable: "CALLCOACH_JOB_LEASE", valueName: "S",
        help:
            "seconds a claimed job stays a worker's without a heartbeat; a dead worker's job runs again after it (default 120)"
    )
    static let modelsDirectory = Option(
        .modelsDirectory, flag: "--models-dir", variable: "CALLCOACH_MODELS_DIR", valueName: "DIR",
        help:
            "where scripts/install-speech put the speech and embedding models (default /usr/local/share/callcoach/models)"
    )
    static let transcriptionThreads = Option(
        .transcriptionThreads, flag: "--transcription-threads", variable: "CALLCOACH_TRANSCRIPTION_THREADS",
        valueName: "N", help: "threads whisper.cpp uses for one recording (default 2)")
    static let disputeWindow = Option(
        .disputeWindowDays, flag: "--dispute-window-days", variable: "CALLCOACH_DISPUTE_WINDOW_DAYS", valueName: "N",
        help: "days after an evaluation in which an agent may dispute its answers (default 14)")
    static let watchDirectory = Option(
        .watchDirectory, flag: "--watch", variable: "CALLCOACH_INGEST_DIR", valueName: "DIR",
        help: "the drop folder: recordings with a JSON sidecar of the same name")
    static let companyID = Option(
        .companyID, flag: "--company", variable: "CALLCOACH_INGEST_COMPANY", valueName: "ID",
        help: "the id of the company the recordings belong to")
    static let watchInterval = Option(
        .watchInterval, flag: "--interval", variable: "CALLCOACH_INGEST_INTERVAL", valueName: "S",
        help: "seconds between looks at the folder (default 5)")
    static let settleSeconds = Option(
        .settleSeconds, flag: "--settle", variable: "CALLCOACH_INGEST_SETTLE", valueName: "S",
        help: "a file must be unchanged this long before it is taken, so none is read half-written (default 2)")
    static let once = Option(
        .once, flag: "--once", variable: "CALLCOACH_INGEST_ONCE",
        help: "take what is in the folder now, then exit (for cron)", isSwitch: true)
    static let host = Option(
        .host, flag: "--host", variable: "CALLCOACH_HOST", valueName: "ADDR",
        help: "address to listen on (default 0.0.0.0)")
    static let port = Option(
        .port, flag: "--port", variable: "CALLCOACH_PORT", valueName: "N", help: "HTTPS port (default 8443)")
    static let redirectPort = Option(
        .redirectPort, flag: "--redirect-port", variable: "CALLCOACH_REDIRECT_PORT", valueName: "N",
        help: "plain-HTTP port that only redirects to HTTPS (default off)")
    static let adminPort = Option(
        .adminPort, flag: "--admin-port", variable: "CALLCOACH_ADMIN_PORT", valueName: "N|off",
        help: "operations listener on 127.0.0.1 for /healthz, /readyz, /metrics (default 9090)")
    static let publicHost = Option(
        .publicHost, flag: "--public-host", variable: "CALLCOACH_PUBLIC_HOST", valueName: "NAME",
        help: "host name used in redirects to HTTPS")
    static let tlsCertificate = Option(
        .tlsCertificateFile, flag: "--tls-cert", variable: "CALLCOACH_TLS_CERT_FILE", valueName: "FILE",
        help: "PEM certificate chain (default: a development certificate generated in the data directory)")
    static let tlsKey = Option(
        .tlsKeyFile, flag: "--tls-key", variable: "CALLCOACH_TLS_KEY_FILE", valueName: "FILE",
        help: "PEM private key for --tls-cert")
    static let threads = Option(
        .threads, flag: "--threads", variable: "CALLCOACH_THREADS", valueName: "N",
        help: "HTTP worker threads (default 2)")
    static let connectionTimeout = Option(
        .connectionTimeout, flag: "--connection-timeout", variable: "CALLCOACH_CONNECTION_TIMEOUT", valueName: "S",
        help: "seconds an idle or stalled connection is kept (default 30)")
    static let shutdownTimeout = Option(
        .shutdownTimeout, flag: "--shutdown-timeout", variable: "CALLCOACH_SHUTDOWN_TIMEOUT", valueName: "S",
        help: "seconds in-flight requests may take to finish on SIGTERM (default 10)")
    static let logLevel = Option(
        .logLevel, flag: "--log-level", variable: "CALLCOACH_LOG_LEVEL", valueName: "LEVEL",
        help: "trace, debug, info, warning or error (default info)")
    static let production = Option(
        .production, flag: "--production", variable: "CALLCOACH_PRODUCTION",
        help: "refuse to start without configured secrets and certificate", isSwitch: true)
    static let masterKey = Option(
        .masterKey, flag: nil, variable: "CALLCOACH_MASTER_KEY",
        help: "32-byte master key in base64 (or CALLCOACH_MASTER_KEY_FILE)", isSecret: true)
    static let metricsToken = Option(
        .metricsToken, flag: nil, variable: "CALLCOACH_METRICS_TOKEN",
        help: "bearer token that opens /metrics on the public port (or CALLCOACH_METRICS_TOKEN_FILE)",
        isSecret: true)
    static let jwtSigningKey = Option(
        .jwtSigningKey, flag: nil, variable: "CALLCOACH_JWT_SIGNING_KEY",
        help: "32-byte Ed25519 seed in base64 that signs access tokens (or CALLCOACH_JWT_SIGNING_KEY_FILE)",
        isSecret: true)
    static let sessionIdleTimeout = Option(
        .sessionIdleTimeout, flag: "--session-idle-timeout", variable: "CALLCOACH_SESSION_IDLE_TIMEOUT",
        valueName: "S", help: "seconds a session may go unused before it ends (default 86400)")
    static let publicURL = Option(
        .publicURL, flag: "--public-url", variable: "CALLCOACH_PUBLIC_URL", valueName: "URL",
        help: "https:// address used in links sent by e-mail (default https://localhost:PORT)")
    static let smtpURL = Option(
        .smtpURL, flag: "--smtp-url", variable: "CALLCOACH_SMTP_URL", valueName: "URL",
        help: "smtp://host:587 (STARTTLS) or smtps://host:465; default: write mail to DATA/outbox")
    static let smtpUsername = Option(
        .smtpUsername, flag: "--smtp-username", variable: "CALLCOACH_SMTP_USERNAME", valueName: "NAME",
        help: "SMTP AUTH user name")
    static let smtpPassword = Option(
        .smtpPassword, flag: nil, variable: "CALLCOACH_SMTP_PASSWORD",
        help: "SMTP AUTH password (or CALLCOACH_SMTP_PASSWORD_FILE)", isSecret: true)
    static let smtpCAFile = Option(
        .smtpCAFile, flag: "--smtp-ca-file", variable: "CALLCOACH_SMTP_CA_FILE", valueName: "FILE",
        help: "PEM certificate authorities trusted for the SMTP server (default: the system's)")
    static let mailFrom = Option(
        .mailFrom, flag: "--mail-from", variable: "CALLCOACH_MAIL_FROM", valueName: "ADDRESS",
        help: "sender of outgoing mail")
}

extension Option {
    static let companyName = Option(
        .companyName, flag: "--name", variable: "CALLCOACH_COMPANY_NAME", valueName: "NAME", help: "the company's name")
    static let adminEmail = Option(
        .adminEmail, flag: "--admin-email", variable: "CALLCOACH_ADMIN_EMAIL", valueName: "EMAIL",
        help: "e-mail address of the company's first administrator")
    static let userEmail = Option(
        .userEmail, flag: "--email", variable: "CALLCOACH_USER_EMAIL", valueName: "EMAIL",
        help: "the account's e-mail address")
    static let passwordFromStandardInput = Option(
        .passwordFromStandardInput, flag: "--password-stdin", variable: "CALLCOACH_PASSWORD_STDIN",
        help: "read the administrator's password from standard input instead of printing an invitation link",
        isSwitch: true)
}

/// The subcommands of `callcoach`.
public enum Command: String, Sendable, CaseIterable {
    case serve, worker, migrate, version
    case rotateKeys = "keys rotate"
    case analyze, ingest
    case createCompany = "admin create-company"
    case deactivateUser = "admin deactivate-user"
    case reactivateUser = "admin reactivate-user"
    case grantOperator = "admin grant-operator"
    case revokeOperator = "admin revoke-operator"
    case auditVerify = "audit verify"
    case policyMatrix = "policy matrix"
    case policyCheck = "policy check"

    public var summary: String {
        switch self {
        case .serve: "run the HTTPS server with the embedded store"
        case .migrate: "apply pending database migrations and exit"
        case .worker: "process queued calls without serving HTTP, until stopped"
        case .rotateKeys: "start a new blob-key version; servers re-encrypt stored blobs in the background"
        case .analyze: "analyze one recording or transcript (callcoach analyze FILE) and print the report"
        case .ingest:
            "upload recordings dropped in a folder (each with a JSON sidecar) and move them to done/ or failed/"
        case .version: "print the version and exit"
        case .createCompany: "create a company and its first administrator"
        case .deactivateUser: "deactivate an account and end its sessions at once"
        case .reactivateUser: "reactivate a deactivated account"
        case .grantOperator: "make an account a platform operator (Super-Admin)"
        case .revokeOperator: "take platform operation away from an account"
        case .auditVerify:
            "check every company's audit-log hash chain and the platform's; exit 1 at the first broken link"
        case .policyMatrix: "print the authorization matrix as Markdown"
        case .policyCheck: "compare PostgreSQL's live row-level policies and grants with the expected ones"
        }
    }

    public var options: [Option] {
        switch self {
        case .serve:
            [
                .dataDirectory, .databaseURL, .databaseOwnerURL, .host, .port, .rateLimit, .redirectPort, .adminPort,
                .publicHost, .trustedProxies, .attestationProvider, .attestationSecret, .attestationVerifyURL,
                .attestationDifficulty, .maxUpload, .workers, .jobLease, .modelsDirectory, .transcriptionThreads,
                .disputeWindow,
                .tlsCertificate,
                .tlsKey,
                .threads, .connectionTimeout, .shutdownTimeout, .logLevel, .production, .masterKey, .metricsToken,
                .jwtSigningKey, .sessionIdleTimeout, .publicURL, .smtpURL, .smtpUsername, .smtpPassword, .smtpCAFile,
                .mailFrom,
            ]
        case .migrate: [.dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel]
        case .worker:
            [
                .dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel, .workers, .jobLease, .modelsDirectory,
                .transcriptionThreads, .masterKey, .jwtSigningKey, .production,
            ]
        case .rotateKeys: [.dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel]
        case .analyze: [.transcriptFile, .outputFormat, .logLevel]
        case .ingest:
            [
                .watchDirectory, .companyID, .watchInterval, .settleSeconds, .once, .dataDirectory, .databaseURL,
                .databaseOwnerURL, .logLevel, .maxUpload, .masterKey, .jwtSigningKey, .production,
            ]
        case .version: []
        case .createCompany:
            [
                .dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel, .companyName, .adminEmail,
                .passwordFromStandardInput,
                .publicURL,
                .masterKey,
                .jwtSigningKey, .production,
            ]
        case .auditVerify: [.dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel]
        case .policyMatrix: [.logLevel]
        case .policyCheck: [.dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel]
        case .deactivateUser, .reactivateUser, .grantOperator, .revokeOperator:
            [
                .dataDirectory, .databaseURL, .databaseOwnerURL, .logLevel, .userEmail, .masterKey, .jwtSigningKey,
                .production,
            ]
        }
    }

    /// The `--help` text.
    public var help: String {
        var text =
            "usage: callcoach \(rawValue)\(self == .analyze ? " FILE" : "")\(options.isEmpty ? "" : " [options]")\n\n\(summary)\n"
        guard !options.isEmpty else { return text }
        text += "\noptions:\n"
        for option in options {
            let flag =
                option.flag.map { "\($0)\(option.valueName.isEmpty ? "" : " " + option.valueName)" }
                ?? "(environment only)"
            text += "  \(flag.padding(toLength: 26, withPad: " ", startingAt: 0)) \(option.help)\n"
            text +=
                "  \("".padding(toLength: 26, withPad: " ", startingAt: 0)) env: \(option.variable)\(option.isSecret ? ", \(option.variable)_FILE" : "")\n"
        }
        return text
    }
}

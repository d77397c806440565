import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// The data directory: the database, the development master key and the development certificate.
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var databasePath: String { path + "/callcoach.sqlite" }
    var certificatePath: String { path + "/tls/development-cert.pem" }
    var privateKeyPath: String { path + "/tls/development-key.pem" }

    /// Creates the directory, loads (or, outside production, generates) the keys, and opens the
    /// database with every migration applied. The caller closes the database.
    public func openStore(_ configuration: Configuration, logger: Logger) async throws -> (
        keys: KeyRing, database: any Database
    ) {
        try create()
        let keys = try KeyRing(
            masterKey: try masterKey(configuration, logger: logger),
            signingSeed: try jwtSigningKey(configuration, logger: logger))
        let database = try openDatabase(configuration)
        do {
            try await Migrator(logger: logger).migrate(database)
        } catch {
            database.close()
            throw error
        }
        return (keys, database)
    }

    /// The configured database: PostgreSQL when a URL is set, else the SQLite file here.
    public func openDatabase(_ configuration: Configuration) throws -> any Database {
        if let url = configuration.databaseURL {
            return try PostgresDatabase(url: url.value, ownerURL: configuration.databaseOwnerURL?.value)
        }
        return try SQLiteDatabase(path: databasePath)
    }

    /// Creates the directory, readable by this user only.
    public func create() throws {
        try FileManager.default.createDirectory(
            atPath: path + "/tls", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = chmod(path, 0o700)
    }

    /// The master key from the configuration or, outside production, the one stored here,
    /// generated on first start.
    public func masterKey(_ configuration: Configuration, logger: Logger) throws -> [UInt8] {
        try key(
            configured: configuration.masterKey, file: "master.key", variable: "CALLCOACH_MASTER_KEY",
            configuration: configuration, logger: logger)
    }

    /// The Ed25519 seed that signs access tokens, configured or (outside production) generated here.
    public func jwtSigningKey(_ configuration: Configuration, logger: Logger) throws -> [UInt8] {
        try key(
            configured: configuration.jwtSigningKey, file: "jwt-signing.key", variable: "CALLCOACH_JWT_SIGNING_KEY",
            configuration: configuration, logger: logger)
    }

    /// A 32-byte key: the configured secret, else the file here, else a new one written here.
    private func key(
        configured: Secret?, file: String, variable: String, configuration: Configuration, logger: Logger
    ) throws -> [UInt8] {
        if let configured, let key = Data(base64Encoded: configured.value) { return Array(key) }
        guard !configuration.production else {
            throw ConfigurationError("--production needs \(variable) or \(variable)_FILE")
        }
        let path = self.path + "/" + file
        if let stored = try? String(contentsOfFile: path, encoding: .utf8),
            let key = Data(base64Encoded: stored.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
        {
            return Array(key)
        }
        let key = SecureRandom.bytes(32)
        try writePrivate(Data(key).base64EncodedString() + "\n", to: path)
        logger.warning(
            "config.key.generated", "a key was not configured; one was generated in the data directory for development",
            [.path: .string(file)])
        return key
    }

    /// The TLS identity from the configured files or, outside production, a development
    /// certificate generated here on first start.
    public func tlsIdentity(_ configuration: Configuration, logger: Logger) throws -> TLSIdentity {
        switch (configuration.tlsCertificateFile, configuration.tlsKeyFile) {
        case (let certificate?, let key?):
            do {
                return TLSIdentity(
                    certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
                    privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
            } catch {
                throw ConfigurationError("cannot read the TLS certificate or key file")
            }
        case (nil, nil):
            guard !configuration.production else {
                throw ConfigurationError("--production needs --tls-cert and --tls-key (or CALLCOACH_TLS_*_FILE)")
            }
            return try developmentIdentity(logger: logger)
        default:
            throw ConfigurationError("--tls-cert and --tls-key must be given together")
        }
    }

    private func developmentIdentity(logger: Logger) throws -> TLSIdentity {
        let identity: TLSIdentity
        if let certificate = try? String(contentsOfFile: certificatePath, encoding: .utf8),
            let key = try? String(contentsOfFile: privateKeyPath, encoding: .utf8)
        {
            identity = TLSIdentity(certificatePEM: certificate, privateKeyPEM: key)
        } else {
            let generated = try DevelopmentCertificate.generate()
            try writePrivate(generated.privateKeyPEM, to: privateKeyPath)
            try writePrivate(generated.certificatePEM, to: certificatePath)
            identity = TLSIdentity(certificatePEM: generated.certificatePEM, privateKeyPEM: generated.privateKeyPEM)
            logger.warning("tls.development_certificate.generated", "a self-signed development certificate was created")
        }
        let fingerprint = try DevelopmentCertificate.fingerprint(ofPEM: identity.certificatePEM)
        logger.info(
            "tls.development_certificate", "serving the development certificate", [.fingerprint: .string(fingerprint)])
        return identity
    }

    /// Writes `text` to a new file that only this user can read.
    private func writePrivate(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ConfigurationError("cannot write to the data directory") }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw ConfigurationError("cannot write to the data directory")
        }
    }
}

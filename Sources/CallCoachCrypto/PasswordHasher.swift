import CArgon2

/// Argon2id password hashes in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
///
/// The parameters travel inside each hash, so raising them later leaves old hashes verifiable,
/// and `needsRehash` tells the sign-in path when to replace one.
public struct PasswordHasher: Sendable {
    public struct Parameters: Sendable, Equatable {
        /// Memory in KiB.
        public var memory: UInt32
        public var iterations: UInt32
        public var parallelism: UInt32

        public init(memory: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memory = memory
            self.iterations = iterations
            self.parallelism = parallelism
        }

        /// OWASP's minimum: 19 MiB, two passes, one lane.
        public static let recommended = Parameters(memory: 19_456, iterations: 2, parallelism: 1)
    }

    public let parameters: Parameters

    public init(parameters: Parameters = .recommended) {
        self.parameters = parameters
    }

    /// A new hash of `password` with a fresh 16-byte salt.
    public func hash(_ password: String) throws -> String {
        let salt = SecureRandom.bytes(16)
        let password = Array(password.utf8)
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memory, parameters.parallelism, UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let status = argon2id_hash_encoded(
            parameters.iterations, parameters.memory, parameters.parallelism, password, password.count, salt,
            salt.count, 32, &encoded, length)
        guard status == ARGON2_OK.rawValue else { throw CryptoError.operationFailed }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches `encoded`; a malformed hash never matches.
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        let password = Array(password.utf8)
        return argon2id_verify(encoded, password, password.count) == ARGON2_OK.rawValue
    }

    /// Whether `encoded` was made with weaker parameters than this hasher's.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = Self.parameters(of: encoded) else { return true }
        return stored.memory < parameters.memory || stored.iterations < parameters.iterations
            || stored.parallelism < parameters.parallelism
    }

    /// The parameters written in a PHC string.
    public static func parameters(of encoded: String) -> Parameters? {
        let fields = encoded.split(separator: "$")
        guard fields.count == 5, fields[0] == "argon2id" else { return nil }
        var values: [String: UInt32] = [:]
        for pair in fields[2].split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = UInt32(parts[1]) else { return nil }
            values[String(parts[0])] = value
        }
        guard let memory = values["m"], let iterations = values["t"], let parallelism = values["p"] else { return nil }
        return Parameters(memory: memory, iterations: iterations, parallelism: parallelism)
    }
}

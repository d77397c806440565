import COpenSSL

/// Ed25519 signatures (RFC 8032) over OpenSSL.
public struct Ed25519PrivateKey: Sendable {
    /// The 32-byte seed.
    public let rawRepresentation: [UInt8]
    public let publicKey: Ed25519PublicKey

    /// A new random key.
    public init() {
        try! self.init(rawRepresentation: SecureRandom.bytes(32))
    }

    public init(rawRepresentation: [UInt8]) throws {
        guard rawRepresentation.count == 32,
            let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, rawRepresentation, 32)
        else { throw CryptoError.invalidKey }
        defer { EVP_PKEY_free(key) }
        var publicBytes = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &publicBytes, &length) == 1, length == 32 else {
            throw CryptoError.invalidKey
        }
        self.rawRepresentation = rawRepresentation
        self.publicKey = try Ed25519PublicKey(rawRepresentation: publicBytes)
    }

    /// The 64-byte signature of `message`; Ed25519 is deterministic.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, rawRepresentation, 32),
            let context = EVP_MD_CTX_new()
        else { throw CryptoError.operationFailed }
        defer {
            EVP_MD_CTX_free(context)
            EVP_PKEY_free(key)
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
            EVP_DigestSign(context, &signature, &length, message, message.count) == 1, length == 64
        else { throw CryptoError.operationFailed }
        return signature
    }
}

/// An Ed25519 public key.
public struct Ed25519PublicKey: Sendable, Equatable {
    public let rawRepresentation: [UInt8]
    /// The parsed OpenSSL key, made once: verification is on every authenticated request.
    private let key: PublicKeyHandle

    public init(rawRepresentation: [UInt8]) throws {
        guard rawRepresentation.count == 32,
            let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, 32)
        else { throw CryptoError.invalidKey }
        self.rawRepresentation = rawRepresentation
        self.key = PublicKeyHandle(key)
    }

    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    /// Whether `signature` is a valid signature of `message` by this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        return EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer) == 1
            && EVP_DigestVerify(context, signature, 64, message, message.count) == 1
    }
}

/// Owns an `EVP_PKEY`. `@unchecked Sendable`: the key is never mutated after creation, and
/// OpenSSL allows one key to be used by several verifications at once.
final class PublicKeyHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }
}

import COpenSSL

/// The hash functions HMAC, HKDF and TOTP may use.
public enum HashFunction: String, Sendable, CaseIterable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    var digest: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        }
    }

    /// Output length in bytes.
    public var length: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }
}

/// HMAC (RFC 2104) over OpenSSL's one-shot `HMAC`.
public enum HMAC {
    public static func authenticationCode(
        _ hash: HashFunction = .sha256, key: some Collection<UInt8>, message: some Collection<UInt8>
    ) -> [UInt8] {
        let key = Array(key)
        let message = Array(message)
        var output = [UInt8](repeating: 0, count: hash.length)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                COpenSSL.HMAC(
                    hash.digest, keyBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(keyBytes.count),
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count, &output, &length)
            }
        }
        precondition(result != nil && Int(length) == hash.length, "HMAC failed")
        return output
    }

    /// Whether `code` is the HMAC of `message`, compared in constant time.
    public static func isValid(
        _ code: [UInt8], _ hash: HashFunction = .sha256, key: some Collection<UInt8>, message: some Collection<UInt8>
    ) -> Bool {
        ConstantTime.equal(code, authenticationCode(hash, key: key, message: message))
    }
}

/// HKDF (RFC 5869) with SHA-256.
public enum HKDF {
    /// Derives `length` bytes; an empty salt means HashLen zero bytes, as the RFC says.
    public static func deriveKey(
        inputKeyMaterial: [UInt8], salt: [UInt8] = [], info: [UInt8] = [], length: Int
    ) -> [UInt8] {
        precondition(length > 0 && length <= 255 * 32, "HKDF-SHA256 output must be 1 to 8160 bytes")
        let key = extract(inputKeyMaterial: inputKeyMaterial, salt: salt)
        return expand(pseudorandomKey: key, info: info, length: length)
    }

    /// The extract step: `PRK = HMAC(salt, IKM)`.
    public static func extract(inputKeyMaterial: [UInt8], salt: [UInt8]) -> [UInt8] {
        HMAC.authenticationCode(
            .sha256, key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, message: inputKeyMaterial)
    }

    /// The expand step: `T(i) = HMAC(PRK, T(i-1) | info | i)`.
    public static func expand(pseudorandomKey: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        var output: [UInt8] = []
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            block = HMAC.authenticationCode(.sha256, key: pseudorandomKey, message: block + info + [counter])
            output += block
            counter &+= 1
        }
        return Array(output.prefix(length))
    }
}

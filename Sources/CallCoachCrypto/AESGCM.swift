import COpenSSL

/// AES-256-GCM authenticated encryption with 96-bit nonces and 128-bit tags.
public enum AESGCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    /// A sealed message: nonce, ciphertext and tag.
    public struct SealedBox: Sendable, Equatable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]
        public let tag: [UInt8]

        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }

        /// `nonce ‖ ciphertext ‖ tag`, the form stored at rest.
        public var combined: [UInt8] { nonce + ciphertext + tag }

        public init(combined: [UInt8]) throws {
            guard combined.count >= nonceLength + tagLength else { throw CryptoError.authenticationFailure }
            nonce = Array(combined.prefix(nonceLength))
            ciphertext = Array(combined.dropFirst(nonceLength).dropLast(tagLength))
            tag = Array(combined.suffix(tagLength))
        }
    }

    /// Encrypts with a fresh random nonce unless one is given (tests pass the published ones).
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], authenticating associatedData: [UInt8] = [], nonce: [UInt8]? = nil
    ) throws -> SealedBox {
        guard key.count == keyLength else { throw CryptoError.invalidKey }
        let nonce = nonce ?? SecureRandom.bytes(nonceLength)
        guard nonce.count == nonceLength else { throw CryptoError.invalidNonce }
        let context = try Cipher(encrypting: true, key: key, nonce: nonce)
        try context.authenticate(associatedData)
        let ciphertext = try context.update(plaintext)
        var tag = [UInt8](repeating: 0, count: tagLength)
        var finalLength: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptFinal_ex(context.pointer, &scratch, &finalLength) == 1,
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), &tag) == 1
        else { throw CryptoError.operationFailed }
        return SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// Decrypts and verifies; any change to the box, the key or the associated data fails.
    public static func open(_ box: SealedBox, key: [UInt8], authenticating associatedData: [UInt8] = []) throws
        -> [UInt8]
    {
        guard key.count == keyLength else { throw CryptoError.invalidKey }
        guard box.nonce.count == nonceLength, box.tag.count == tagLength else {
            throw CryptoError.authenticationFailure
        }
        let context = try Cipher(encrypting: false, key: key, nonce: box.nonce)
        try context.authenticate(associatedData)
        let plaintext = try context.update(box.ciphertext)
        var tag = box.tag
        var finalLength: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tag) == 1,
            EVP_DecryptFinal_ex(context.pointer, &scratch, &finalLength) == 1
        else { throw CryptoError.authenticationFailure }
        return plaintext
    }

    /// Seals a small secret for a database column: the combined box in base64url.
    public static func sealText(_ plaintext: [UInt8], key: [UInt8], authenticating associatedData: [UInt8]) throws
        -> String
    {
        Base64URL.encode(try seal(plaintext, key: key, authenticating: associatedData).combined)
    }

    /// Opens what ``sealText(_:key:authenticating:)`` sealed; anything else fails authentication.
    public static func openText(_ sealed: String, key: [UInt8], authenticating associatedData: [UInt8]) throws
        -> [UInt8]
    {
        guard let combined = Base64URL.decode(sealed) else { throw CryptoError.authenticationFailure }
        return try open(SealedBox(combined: combined), key: key, authenticating: associatedData)
    }

    private final class Cipher {
        let pointer: OpaquePointer
        let encrypting: Bool

        init(encrypting: Bool, key: [UInt8], nonce: [UInt8]) throws {
            guard let pointer = EVP_CIPHER_CTX_new() else { throw CryptoError.operationFailed }
            self.pointer = pointer
            self.encrypting = encrypting
            let initialise = encrypting ? EVP_EncryptInit_ex : EVP_DecryptInit_ex
            guard initialise(pointer, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
                initialise(pointer, nil, nil, key, nonce) == 1
            else { throw CryptoError.operationFailed }
        }

        deinit { EVP_CIPHER_CTX_free(pointer) }

        func authenticate(_ data: [UInt8]) throws {
            guard !data.isEmpty else { return }
            var length: Int32 = 0
            let update = encrypting ? EVP_EncryptUpdate : EVP_DecryptUpdate
            guard update(pointer, nil, &length, data, Int32(data.count)) == 1 else { throw CryptoError.operationFailed }
        }

        func update(_ input: [UInt8]) throws -> [UInt8] {
            guard !input.isEmpty else { return [] }
            var output = [UInt8](repeating: 0, count: input.count + 16)
            var length: Int32 = 0
            let update = encrypting ? EVP_EncryptUpdate : EVP_DecryptUpdate
            guard update(pointer, &output, &length, input, Int32(input.count)) == 1 else {
                throw CryptoError.operationFailed
            }
            return Array(output.prefix(Int(length)))
        }
    }
}

/// Failures of the cryptographic primitives; deliberately without detail.
public enum CryptoError: Error, Sendable, Equatable {
    case invalidKey
    case invalidNonce
    case authenticationFailure
    case operationFailed
}

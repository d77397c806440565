import CallCoachCrypto
import CallCoachStore

/// The keys the server works with, all from the configuration loader.
public struct KeyRing: Sendable {
    public let tokenSigner: JWTSigner
    /// Keys lockout counters and stored client addresses, so neither an e-mail nor an IP is stored.
    public let identityHashKey: [UInt8]
    /// Seals TOTP secrets at rest.
    public let mfaSecretKey: [UInt8]
    /// Seals company settings' secrets at rest (AI provider API keys).
    public let settingsSecretKey: [UInt8]
    /// Signs proof-of-work challenges.
    public let attestationKey: [UInt8]
    /// The per-company keys of the encrypted blob store.
    public let blobKeys: BlobKeys

    public init(masterKey: [UInt8], signingSeed: [UInt8], issuer: String = "callcoach") throws {
        let signingKey = try Ed25519PrivateKey(rawRepresentation: signingSeed)
        let keyID = Hex.encode(SHA256.hash(signingKey.publicKey.rawRepresentation).prefix(8))
        tokenSigner = JWTSigner(keyID: keyID, signingKey: signingKey, issuer: issuer, audience: "callcoach-api")
        identityHashKey = Self.derive(masterKey, "identity-hash/v1")
        mfaSecretKey = Self.derive(masterKey, "mfa-secret/v1")
        attestationKey = Self.derive(masterKey, "attestation/v1")
        settingsSecretKey = Self.derive(masterKey, "settings-secret/v1")
        blobKeys = BlobKeys(masterKey: masterKey)
    }

    /// A purpose-bound key derived from the master key with HKDF-SHA256.
    static func derive(_ masterKey: [UInt8], _ purpose: String) -> [UInt8] {
        HKDF.deriveKey(inputKeyMaterial: masterKey, info: Array("callcoach/\(purpose)".utf8), length: 32)
    }

    /// The keyed hash that stands in for an identity (`kind` separates e-mails from addresses).
    public func identityHash(_ kind: String, _ value: String) -> String {
        Hex.encode(HMAC.authenticationCode(.sha256, key: identityHashKey, message: Array("\(kind):\(value)".utf8)))
    }
}

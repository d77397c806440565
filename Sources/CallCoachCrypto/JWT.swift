import Foundation

/// The claims of a CallCoach access token.
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    /// The user id.
    public var sub: String
    /// The session id, looked up on every verification so revocation takes effect at once.
    public var sid: String
    public var jti: String
    public var iat: Int64
    public var exp: Int64
    public var nbf: Int64?
    public var iss: String
    public var aud: String

    public init(
        sub: String, sid: String, jti: String, iat: Int64, exp: Int64, nbf: Int64? = nil, iss: String, aud: String
    ) {
        self.sub = sub
        self.sid = sid
        self.jti = jti
        self.iat = iat
        self.exp = exp
        self.nbf = nbf
        self.iss = iss
        self.aud = aud
    }
}

/// Why a token was refused. Callers log and count the reason but show clients one generic answer.
public enum JWTRejection: Error, Sendable, Equatable {
    case malformed
    case algorithm
    case unknownKey
    case signature
    case expired
    case notYetValid
    case issuer
    case audience

    /// A stable name for logs and metrics.
    public var reason: String {
        switch self {
        case .malformed: "malformed"
        case .algorithm: "algorithm"
        case .unknownKey: "unknown_key"
        case .signature: "signature"
        case .expired: "expired"
        case .notYetValid: "not_yet_valid"
        case .issuer: "issuer"
        case .audience: "audience"
        }
    }
}

/// Compact JWS tokens signed with Ed25519 (`alg` `EdDSA`, RFC 8037). No other algorithm is
/// accepted, whatever the header says, and a key id only selects among keys already trusted.
public struct JWTSigner: Sendable {
    /// The only algorithm this verifier allows.
    public static let algorithm = "EdDSA"

    public let keyID: String
    private let signingKey: Ed25519PrivateKey
    /// Every key a token may name: the current one and those being rotated out.
    public let verificationKeys: [String: Ed25519PublicKey]
    public let issuer: String
    public let audience: String
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    public let leeway: Int64
    /// The exact encoded headers this signer writes, by key id: a token carrying one of them
    /// needs no header parsing. Any other header takes the full path.
    private let knownHeaders: [String: String]

    public init(
        keyID: String, signingKey: Ed25519PrivateKey, previousKeys: [String: Ed25519PublicKey] = [:], issuer: String,
        audience: String, leeway: Int64 = 30
    ) {
        self.keyID = keyID
        self.signingKey = signingKey
        var keys = previousKeys
        keys[keyID] = signingKey.publicKey
        self.verificationKeys = keys
        var headers: [String: String] = [:]
        for kid in keys.keys {
            if let header = try? JSONEncoder.sorted.encode(Header(alg: Self.algorithm, typ: "JWT", kid: kid)) {
                headers[Base64URL.encode(header)] = kid
            }
        }
        self.knownHeaders = headers
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    struct Header: Codable {
        var alg: String
        var typ: String?
        var kid: String?
        var crit: [String]?
    }

    /// Signs `claims` into a compact token.
    public func sign(_ claims: AccessTokenClaims) throws -> String {
        let header = try JSONEncoder.sorted.encode(Header(alg: Self.algorithm, typ: "JWT", kid: keyID))
        let payload = try JSONEncoder.sorted.encode(claims)
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        return input + "." + Base64URL.encode(try signingKey.signature(for: Array(input.utf8)))
    }

    /// Verifies the signature, the algorithm, the key id and every time, issuer and audience claim.
    public func verify(_ token: String, now: Int64) throws(JWTRejection) -> AccessTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 4096, parts.count == 3 else { throw .malformed }
        let kid = try keyID(ofHeader: parts[0])
        guard let key = verificationKeys[kid] else { throw .unknownKey }
        guard let payloadBytes = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw .malformed
        }
        let input = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.isValidSignature(signature, for: input) else { throw .signature }
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes)) else {
            throw .malformed
        }
        guard now < claims.exp + leeway else { throw .expired }
        if let notBefore = claims.nbf, now + leeway < notBefore { throw .notYetValid }
        guard claims.iat <= now + leeway else { throw .notYetValid }
        guard claims.iss == issuer else { throw .issuer }
        guard claims.aud == audience else { throw .audience }
        return claims
    }

    /// The key id a header names, after checking that it allows only `EdDSA`.
    private func keyID(ofHeader encoded: Substring) throws(JWTRejection) -> String {
        if let kid = knownHeaders[String(encoded)] { return kid }
        guard let bytes = Base64URL.decode(encoded),
            let header = try? JSONDecoder().decode(Header.self, from: Data(bytes))
        else { throw .malformed }
        guard header.alg == Self.algorithm, header.crit == nil else { throw .algorithm }
        guard let kid = header.kid else { throw .unknownKey }
        return kid
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

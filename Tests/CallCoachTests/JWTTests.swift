import CallCoachCrypto
import Foundation
import Testing

@Suite struct JWTTests {
    let key = Ed25519PrivateKey()
    let now: Int64 = 1_800_000_000
    var signer: JWTSigner { JWTSigner(keyID: "k1", signingKey: key, issuer: "callcoach", audience: "callcoach-api") }

    func claims(_ change: (inout AccessTokenClaims) -> Void = { _ in }) -> AccessTokenClaims {
        var claims = AccessTokenClaims(
            sub: "user-1", sid: "session-1", jti: "token-1", iat: now, exp: now + 3600, iss: "callcoach",
            aud: "callcoach-api")
        change(&claims)
        return claims
    }

    /// A token with the given header and payload JSON, signed by `sign` over the signing input.
    func forge(header: String, payload: String, sign: ([UInt8]) throws -> [UInt8]) rethrows -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(try sign(Array(input.utf8)))
    }

    var payload: String { String(decoding: try! JSONEncoder().encode(claims()), as: UTF8.self) }

    func rejection(_ token: String, at time: Int64? = nil) -> JWTRejection? {
        do {
            _ = try signer.verify(token, now: time ?? now)
            return nil
        } catch {
            return error
        }
    }

    @Test func aSignedTokenVerifiesWithEveryClaim() throws {
        let token = try signer.sign(claims())
        #expect(try signer.verify(token, now: now + 10) == claims())
        let header = try #require(Base64URL.decode(token.split(separator: ".")[0]))
        #expect(String(decoding: header, as: UTF8.self) == "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"typ\":\"JWT\"}")
    }

    @Test func algNoneIsRefused() {
        for alg in ["none", "None", "NONE"] {
            let token = forge(header: "{\"alg\":\"\(alg)\",\"kid\":\"k1\"}", payload: payload) { _ in [] }
            #expect(rejection(token) != nil)
        }
        let unsigned =
            Base64URL.encode(Array("{\"alg\":\"none\"}".utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
        #expect(rejection(unsigned) == .algorithm)
    }

    @Test func hs256KeyConfusionWithThePublicKeyIsRefused() {
        let token = forge(header: "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", payload: payload) { input in
            HMAC.authenticationCode(.sha256, key: key.publicKey.rawRepresentation, message: input)
        }
        #expect(rejection(token) == .algorithm)
    }

    @Test func rfc7515HS256ExampleIsRefused() {
        let token =
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(rejection(token) == .algorithm)
    }

    @Test func foreignAndMissingKeyIDsAreRefused() throws {
        let stranger = JWTSigner(
            keyID: "k2", signingKey: Ed25519PrivateKey(), issuer: "callcoach", audience: "callcoach-api")
        #expect(rejection(try stranger.sign(claims())) == .unknownKey)
        let impostor = JWTSigner(
            keyID: "k1", signingKey: Ed25519PrivateKey(), issuer: "callcoach", audience: "callcoach-api")
        #expect(rejection(try impostor.sign(claims())) == .signature)
        let noKid = try forge(header: "{\"alg\":\"EdDSA\"}", payload: payload) { try key.signature(for: $0) }
        #expect(rejection(noKid) == .unknownKey)
        let injected = try forge(header: "{\"alg\":\"EdDSA\",\"kid\":\"../../k1\"}", payload: payload) {
            try key.signature(for: $0)
        }
        #expect(rejection(injected) == .unknownKey)
        let embedded = try forge(
            header: "{\"alg\":\"EdDSA\",\"kid\":\"k1\",\"crit\":[\"exp\"]}", payload: payload
        ) { try key.signature(for: $0) }
        #expect(rejection(embedded) == .algorithm)
    }

    @Test func rotatedOutKeysStillVerifyTheirTokens() throws {
        let old = Ed25519PrivateKey()
        let oldSigner = JWTSigner(keyID: "k0", signingKey: old, issuer: "callcoach", audience: "callcoach-api")
        let rotated = JWTSigner(
            keyID: "k1", signingKey: key, previousKeys: ["k0": old.publicKey], issuer: "callcoach",
            audience: "callcoach-api")
        #expect(try rotated.verify(try oldSigner.sign(claims()), now: now).sub == "user-1")
    }

    @Test func anyFlippedBitIsRefused() throws {
        let token = Array(try signer.sign(claims()).utf8)
        for index in stride(from: 0, to: token.count, by: 7) where token[index] != UInt8(ascii: ".") {
            var tampered = token
            tampered[index] = tampered[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(rejection(String(decoding: tampered, as: UTF8.self)) != nil)
        }
    }

    @Test func timeIssuerAndAudienceClaimsAreChecked() throws {
        #expect(rejection(try signer.sign(claims()), at: now + 3600 + 31) == .expired)
        #expect(rejection(try signer.sign(claims()), at: now + 3600 + 29) == nil, "30 seconds of clock skew")
        #expect(rejection(try signer.sign(claims { $0.nbf = now + 600 })) == .notYetValid)
        #expect(rejection(try signer.sign(claims { $0.iat = now + 600 })) == .notYetValid)
        #expect(rejection(try signer.sign(claims { $0.iss = "someone-else" })) == .issuer)
        #expect(rejection(try signer.sign(claims { $0.aud = "another-api" })) == .audience)
    }

    @Test func malformedTokensAreRefused() throws {
        let token = try signer.sign(claims())
        for bad in [
            "", "a.b", "a.b.c.d", token + ".", "..", String(repeating: "a", count: 5000),
            token.replacingOccurrences(of: ".", with: ".."),
        ] {
            #expect(rejection(bad) != nil)
        }
        let notJSON = try forge(header: "{\"alg\":\"EdDSA\",\"kid\":\"k1\"}", payload: "not json") {
            try key.signature(for: $0)
        }
        #expect(rejection(notJSON) == .malformed)
    }
}

import CallCoachCrypto
import CallCoachTesting
import Foundation
import Testing

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

@Suite struct CryptoVectorTests {
    static let hotpSecret = Array("12345678901234567890".utf8)

    @Test(
        arguments: zip(
            0..<10,
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]))
    func hotpMatchesRFC4226(counter: Int, expected: String) {
        #expect(OneTimePassword.hotp(secret: Self.hotpSecret, counter: UInt64(counter)) == expected)
    }

    @Test(arguments: [
        (Int64(59), "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ])
    func totpMatchesRFC6238ForAllThreeHashes(time: Int64, sha1: String, sha256: String, sha512: String) {
        let seed1 = Array("12345678901234567890".utf8)
        let seed256 = Array("12345678901234567890123456789012".utf8)
        let seed512 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)
        #expect(OneTimePassword.totp(secret: seed1, at: time, digits: 8, hash: .sha1) == sha1)
        #expect(OneTimePassword.totp(secret: seed256, at: time, digits: 8, hash: .sha256) == sha256)
        #expect(OneTimePassword.totp(secret: seed512, at: time, digits: 8, hash: .sha512) == sha512)
    }

    @Test func totpWindowIsOneStepEitherSide() {
        let secret = SecureRandom.bytes(20)
        let now: Int64 = 1_700_000_000
        let step = OneTimePassword.timeStep(at: now)
        for offset: Int64 in [-30, 0, 30] {
            let code = OneTimePassword.totp(secret: secret, at: now + offset)
            #expect(OneTimePassword.matchingStep(code, secret: secret, at: now) == UInt64(Int64(step) + offset / 30))
        }
        #expect(
            OneTimePassword.matchingStep(OneTimePassword.totp(secret: secret, at: now + 90), secret: secret, at: now)
                == nil)
        #expect(OneTimePassword.matchingStep("12345", secret: secret, at: now) == nil)
        #expect(OneTimePassword.matchingStep("12a456", secret: secret, at: now) == nil)
    }

    @Test func hkdfMatchesRFC5869() {
        let a2Input = (0x00...0x4F).map { UInt8($0) }
        let a2Salt = (0x60...0xAF).map { UInt8($0) }
        let a2Info = (0xB0...0xFF).map { UInt8($0) }
        let cases: [([UInt8], [UInt8], [UInt8], Int, String, String)] = [
            (
                [UInt8](repeating: 0x0B, count: 22), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42,
                "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
            ),
            (
                a2Input, a2Salt, a2Info, 82, "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"
            ),
            (
                [UInt8](repeating: 0x0B, count: 22), [], [], 42,
                "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
            ),
        ]
        for (input, salt, info, length, prk, okm) in cases {
            #expect(Hex.encode(HKDF.extract(inputKeyMaterial: input, salt: salt)) == prk)
            #expect(Hex.encode(HKDF.deriveKey(inputKeyMaterial: input, salt: salt, info: info, length: length)) == okm)
        }
    }

    @Test func aesGCMMatchesTheSpecCases13To16() throws {
        let p15 = hex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
        )
        let key15 = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let nonce15 = hex("cafebabefacedbaddecaf888")
        let c15 =
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
        let cases: [([UInt8], [UInt8], [UInt8], [UInt8], String, String)] = [
            (
                [UInt8](repeating: 0, count: 32), [UInt8](repeating: 0, count: 12), [], [], "",
                "530f8afbc74536b9a963b4f1c4cb738b"
            ),
            (
                [UInt8](repeating: 0, count: 32), [UInt8](repeating: 0, count: 12), [UInt8](repeating: 0, count: 16),
                [],
                "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"
            ),
            (key15, nonce15, p15, [], c15, "b094dac5d93471bdec1a502270e3cc6c"),
            (
                key15, nonce15, Array(p15.prefix(60)), hex("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
                String(c15.prefix(120)),
                "76fc6ece0f4e1768cddf8853bb2d551b"
            ),
        ]
        for (key, nonce, plaintext, aad, ciphertext, tag) in cases {
            let box = try AESGCM.seal(plaintext, key: key, authenticating: aad, nonce: nonce)
            #expect(Hex.encode(box.ciphertext) == ciphertext)
            #expect(Hex.encode(box.tag) == tag)
            #expect(try AESGCM.open(box, key: key, authenticating: aad) == plaintext)
        }
    }

    @Test func aesGCMRejectsAnyTampering() throws {
        let key = SecureRandom.bytes(32)
        let box = try AESGCM.seal(Array("transcript".utf8), key: key, authenticating: Array("company-a".utf8))
        #expect(
            try AESGCM.open(AESGCM.SealedBox(combined: box.combined), key: key, authenticating: Array("company-a".utf8))
                == Array("transcript".utf8))
        var flippedTag = box.tag
        flippedTag[0] ^= 1
        var flippedText = box.ciphertext
        flippedText[3] ^= 0x80
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(
                AESGCM.SealedBox(nonce: box.nonce, ciphertext: box.ciphertext, tag: flippedTag), key: key,
                authenticating: Array("company-a".utf8))
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(
                AESGCM.SealedBox(nonce: box.nonce, ciphertext: flippedText, tag: box.tag), key: key,
                authenticating: Array("company-a".utf8))
        }
        #expect(throws: CryptoError.authenticationFailure) {
            try AESGCM.open(box, key: key, authenticating: Array("company-b".utf8))
        }
        #expect(throws: CryptoError.authenticationFailure) { try AESGCM.open(box, key: SecureRandom.bytes(32)) }
        let again = try AESGCM.seal(Array("transcript".utf8), key: key)
        #expect(again.nonce != box.nonce, "every seal draws a fresh nonce")
    }

    @Test func ed25519MatchesRFC8037() throws {
        let key = try Ed25519PrivateKey(
            rawRepresentation: Base64URL.decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")!)
        #expect(Base64URL.encode(key.publicKey.rawRepresentation) == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        let input = Array("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".utf8)
        let expected = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        #expect(Base64URL.encode(try key.signature(for: input)) == expected)
        #expect(key.publicKey.isValidSignature(Base64URL.decode(expected)!, for: input))
        var tampered = input
        tampered[0] ^= 1
        #expect(!key.publicKey.isValidSignature(Base64URL.decode(expected)!, for: tampered))
    }

    @Test func base64URLIsUnpaddedAndCanonical() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("-_8=") == nil)
        #expect(Base64URL.decode("-_9") == nil, "stray low bits make a second spelling")
        #expect(Base64URL.decode("a+b/") == nil)
        #expect(Base64URL.decode("") == [])
    }

    @Test func hmacAndConstantTimeComparison() {
        // RFC 4231 test case 2.
        let code = HMAC.authenticationCode(
            .sha256, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMAC.isValid(code, key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
        #expect(!HMAC.isValid(code, key: Array("jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(
            Hex.encode(SHA256.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func argon2idHashesCarryTheirParametersAndUpgrade() throws {
        let cheap = PasswordHasher(parameters: .init(memory: 1024, iterations: 1, parallelism: 1))
        let hash = try cheap.hash("correct horse")
        #expect(hash.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(cheap.verify("correct horse", against: hash))
        #expect(!cheap.verify("correct horsE", against: hash))
        #expect(!cheap.verify("correct horse", against: "$2b$10$notargon"))
        #expect(try cheap.hash("correct horse") != hash, "each hash has its own salt")
        let standard = PasswordHasher()
        #expect(standard.verify("correct horse", against: hash), "old parameters stay verifiable")
        #expect(standard.needsRehash(hash))
        let strong = try standard.hash("correct horse")
        #expect(strong.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(!standard.needsRehash(strong))
        #expect(PasswordHasher.parameters(of: strong) == .recommended)
    }

    @Test func base32EncodesRFC4648Vectors() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("f".utf8)) == "MY")
        #expect(Base32.encode(Self.hotpSecret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }
}

/// The same primitives checked against independent implementations: the `openssl` and `oathtool` tools.
@Suite struct CryptoCrossCheckTests {
    @Test func totpAndHotpAgreeWithOathtool() throws {
        for _ in 0..<5 {
            let secret = SecureRandom.bytes(20)
            let time = Int64.random(in: 0...4_000_000_000)
            let result = try run("/usr/bin/oathtool", ["--totp", "-d", "6", "-N", "@\(time)", Hex.encode(secret)])
            #expect(result.status == 0)
            #expect(
                result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    == OneTimePassword.totp(secret: secret, at: time))
            let counter = UInt64.random(in: 0...1_000_000)
            let hotp = try run("/usr/bin/oathtool", ["-c", String(counter), Hex.encode(secret)])
            #expect(
                hotp.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    == OneTimePassword.hotp(secret: secret, counter: counter))
        }
        let sha256 = try run(
            "/usr/bin/oathtool",
            ["--totp=sha256", "-d", "8", "-N", "@59", Hex.encode(Array("12345678901234567890123456789012".utf8))])
        #expect(sha256.output.trimmingCharacters(in: .whitespacesAndNewlines) == "46119246")
    }

    @Test func hmacAndHKDFAgreeWithOpenSSL() throws {
        let directory = try TemporaryDirectory()
        let message = SecureRandom.bytes(1000)
        try Data(message).write(to: URL(fileURLWithPath: directory.file("message")))
        let key = Hex.encode(SecureRandom.bytes(32))
        let mac = try run(
            "/usr/bin/openssl",
            ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(key)", directory.file("message")])
        #expect(
            mac.output.hasSuffix(
                "= " + Hex.encode(HMAC.authenticationCode(.sha256, key: hex(key), message: message)) + "\n"))
        let digest = try run("/usr/bin/openssl", ["dgst", "-sha256", directory.file("message")])
        #expect(digest.output.hasSuffix("= " + Hex.encode(SHA256.hash(message)) + "\n"))

        let (input, salt, info) = (SecureRandom.bytes(32), SecureRandom.bytes(16), SecureRandom.bytes(10))
        let derived = try run(
            "/usr/bin/openssl",
            [
                "kdf", "-keylen", "64", "-kdfopt", "digest:SHA256", "-kdfopt", "hexkey:\(Hex.encode(input))",
                "-kdfopt", "hexsalt:\(Hex.encode(salt))", "-kdfopt", "hexinfo:\(Hex.encode(info))", "HKDF",
            ])
        let expected = Hex.encode(
            HKDF.deriveKey(inputKeyMaterial: input, salt: salt, info: info, length: 64), separator: ":")
        #expect(derived.output.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    @Test func ed25519SignaturesAgreeWithOpenSSL() throws {
        let directory = try TemporaryDirectory()
        let key = Ed25519PrivateKey()
        // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix, then the seed.
        let der = hex("302e020100300506032b657004220420") + key.rawRepresentation
        try Data(der).write(to: URL(fileURLWithPath: directory.file("key.der")))
        let message = SecureRandom.bytes(200)
        try Data(message).write(to: URL(fileURLWithPath: directory.file("message")))
        try run(
            "/usr/bin/openssl",
            [
                "pkeyutl", "-sign", "-rawin", "-inkey", directory.file("key.der"), "-keyform", "DER", "-in",
                directory.file("message"),
                "-out", directory.file("signature"),
            ])
        let signature = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.file("signature"))))
        #expect(signature == (try key.signature(for: message)))
        #expect(key.publicKey.isValidSignature(signature, for: message))
    }
}

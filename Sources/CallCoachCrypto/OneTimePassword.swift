/// HOTP (RFC 4226) and TOTP (RFC 6238).
public enum OneTimePassword {
    /// The HOTP value for `counter`, as a zero-padded decimal string of `digits` digits.
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = 6, hash: HashFunction = .sha1) -> String {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
        let mac = HMAC.authenticationCode(hash, key: secret, message: message)
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The TOTP time step for a Unix time: `floor(time / period)`, 64-bit so 2038 is no limit.
    public static func timeStep(at unixTime: Int64, period: Int64 = 30) -> UInt64 {
        UInt64(max(0, unixTime) / period)
    }

    /// The TOTP value at `unixTime`.
    public static func totp(
        secret: [UInt8], at unixTime: Int64, digits: Int = 6, period: Int64 = 30, hash: HashFunction = .sha1
    ) -> String {
        hotp(secret: secret, counter: timeStep(at: unixTime, period: period), digits: digits, hash: hash)
    }

    /// The step whose code matches `code` among the current step and one step either side, if any.
    ///
    /// The caller must refuse a step at or below the last one it accepted, so no code works twice.
    public static func matchingStep(
        _ code: String, secret: [UInt8], at unixTime: Int64, digits: Int = 6, period: Int64 = 30
    ) -> UInt64? {
        guard code.utf8.count == digits, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let current = timeStep(at: unixTime, period: period)
        var found: UInt64?
        for step in [current &- 1, current, current + 1] where step <= current + 1 {
            // Every candidate is computed and compared, so timing does not reveal which matched.
            if ConstantTime.equal(Array(hotp(secret: secret, counter: step, digits: digits).utf8), Array(code.utf8)) {
                found = step
            }
        }
        return found
    }
}

/// RFC 4648 base32 without padding, as `otpauth://` secrets are written.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }
}

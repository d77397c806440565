import COpenSSL

/// SHA-256 digests.
public enum SHA256 {
    public static func hash<Bytes: Collection>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = Array(data).withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(status == 1 && length == 32, "SHA-256 failed")
        return digest
    }
}

/// Hexadecimal text for byte strings.
public enum Hex {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, separator: String = "") -> String
    where Bytes.Element == UInt8 {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: separator == ":")
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: separator)
    }
}

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

/// SHA-256 over data that arrives in pieces (a streamed upload), without holding it whole.
public final class SHA256Stream {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("SHA-256 could not start")
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: some Collection<UInt8>) {
        let status = Array(bytes).withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(status == 1, "SHA-256 failed")
    }

    /// The digest of everything given; call once, at the end.
    public func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 32, "SHA-256 failed")
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

import COpenSSL

/// Comparisons whose duration does not depend on where inputs differ.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` are equal; only the lengths leak through timing.
    public static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
        }
    }
}

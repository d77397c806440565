/// Where a blob lives: `companies/{companyId}/{collection}/{id}`. Only a tenant scope can make
/// one, so no code path can name another company's blob.
public struct BlobKey: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let companyID: String
    public let collection: String
    public let id: String

    /// The key for `id` in `collection` of the scope's company, or `nil` when either part is not
    /// a plain name (letters, digits, `-`, `_`, `.`; no `..`, no slash).
    public init?(scope: TenantScope, collection: String, id: String) {
        guard Self.isPlainName(collection), Self.isPlainName(id), Self.isPlainName(scope.companyID) else { return nil }
        path = "companies/\(scope.companyID)/\(collection)/\(id)"
        companyID = scope.companyID
        self.collection = collection
        self.id = id
    }

    public var description: String { path }

    static func isPlainName(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && !text.contains("..") && !text.hasPrefix(".")
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

/// A failure in the store. Its description names the kind and the engine's code, never SQL
/// arguments or row values.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case unavailable, busy, constraint, decoding, migration, denied, engine }
        private let kind: Kind

        public static let unavailable = Code(kind: .unavailable)
        public static let busy = Code(kind: .busy)
        public static let constraint = Code(kind: .constraint)
        public static let decoding = Code(kind: .decoding)
        public static let migration = Code(kind: .migration)
        /// Row-level security or a missing grant refused the statement.
        public static let denied = Code(kind: .denied)
        public static let engine = Code(kind: .engine)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// A fixed explanation or the engine's numeric code; safe to log.
    public let detail: String
    public let file: String
    public let line: Int

    public init(_ code: Code, detail: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.detail = detail
        self.file = file
        self.line = line
    }

    public static func == (lhs: DatabaseError, rhs: DatabaseError) -> Bool { lhs.code == rhs.code }

    public var description: String { "database error (\(code)): \(detail)" }
}

/// The SQL dialects the store speaks.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// Appended to a `SELECT` to lock the rows it reads until the transaction ends. SQLite needs
    /// nothing: its single writer already serialises every write transaction.
    public var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// The placeholder for the argument at 1-based `index`.
    func placeholder(_ index: Int) -> String {
        switch self {
        case .sqlite: "?"
        case .postgres: "$\(index)"
        }
    }
}

/// A statement with its arguments kept apart from its text.
///
/// Interpolated values always become bound arguments, never text, so a statement built with
/// string interpolation cannot be injected into:
///
///     let rows = try connection.query("SELECT name FROM companies WHERE id = \(id)")
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Fragment: Sendable {
        case text(String)
        case argument(DatabaseValue)
    }

    private(set) var fragments: [Fragment]

    public init(stringLiteral value: String) {
        fragments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            fragments.append(.text(literal))
        }

        /// Binds `value` as an argument.
        public mutating func appendInterpolation(_ value: some DatabaseValueConvertible) {
            fragments.append(.argument(value.databaseValue))
        }

        /// Binds an optional value, `NULL` when absent.
        public mutating func appendInterpolation<Value: DatabaseValueConvertible>(_ value: Value?) {
            fragments.append(.argument(value?.databaseValue ?? .null))
        }

        /// Splices fixed text that is not an argument (a keyword chosen by code, never input).
        public mutating func appendInterpolation(keyword: String) {
            fragments.append(.text(keyword))
        }

        /// Splices another statement in, arguments included.
        public mutating func appendInterpolation(sql: SQL) {
            fragments.append(contentsOf: sql.fragments)
        }
    }

    /// The text with placeholders for `dialect`, and the arguments in order.
    public func rendered(for dialect: SQLDialect) -> (text: String, arguments: [DatabaseValue]) {
        var text = ""
        var arguments: [DatabaseValue] = []
        for fragment in fragments {
            switch fragment {
            case .text(let literal):
                text += literal
            case .argument(let value):
                arguments.append(value)
                text += dialect.placeholder(arguments.count)
            }
        }
        return (text, arguments)
    }

    /// The statement text only; arguments are never shown.
    public var description: String { rendered(for: .sqlite).text }
}

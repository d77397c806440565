/// One result row with typed access by column name.
public struct Row: Sendable {
    public let columns: [String]
    public let values: [DatabaseValue]

    public init(columns: [String], values: [DatabaseValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of `column`, or `.null` if there is no such column.
    public subscript(column: String) -> DatabaseValue {
        guard let index = columns.firstIndex(of: column) else { return .null }
        return values[index]
    }

    /// The value of `column` as `Value`, or a decoding error naming the column (never the value).
    public func decode<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws
        -> Value
    {
        guard columns.contains(column) else { throw DatabaseError(.decoding, detail: "no column \(column)") }
        guard let value = Value.decode(from: self[column]) else {
            throw DatabaseError(.decoding, detail: "column \(column) is not \(Value.self)")
        }
        return value
    }
}

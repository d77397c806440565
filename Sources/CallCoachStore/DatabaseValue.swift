import Foundation

/// A value as the database stores it.
public enum DatabaseValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A Swift type that can be bound as a statement argument and decoded from a column.
public protocol DatabaseValueConvertible: Sendable {
    var databaseValue: DatabaseValue { get }
    static func decode(from value: DatabaseValue) -> Self?
}

extension DatabaseValue: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { self }
    public static func decode(from value: DatabaseValue) -> DatabaseValue? { value }
}

extension Int64: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(self) }

    public static func decode(from value: DatabaseValue) -> Int64? {
        switch value {
        case .integer(let integer): integer
        case .text(let text): Int64(text)
        default: nil
        }
    }
}

extension Int: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(Int64(self)) }
    public static func decode(from value: DatabaseValue) -> Int? { Int64.decode(from: value).map(Int.init) }
}

extension Double: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .real(self) }

    public static func decode(from value: DatabaseValue) -> Double? {
        switch value {
        case .real(let real): real
        case .integer(let integer): Double(integer)
        case .text(let text): Double(text)
        default: nil
        }
    }
}

extension Bool: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(self ? 1 : 0) }

    public static func decode(from value: DatabaseValue) -> Bool? {
        switch value {
        case .integer(let integer): integer != 0
        case .text(let text): ["t", "true", "1"].contains(text)
        default: nil
        }
    }
}

extension String: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .text(self) }

    public static func decode(from value: DatabaseValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }
}

extension [UInt8]: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .blob(self) }

    public static func decode(from value: DatabaseValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }
}

/// Dates are stored as whole milliseconds since 1970 in a BIGINT column on every backend.
extension Date: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(Int64((timeIntervalSince1970 * 1000).rounded())) }

    public static func decode(from value: DatabaseValue) -> Date? {
        Int64.decode(from: value).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}

extension UUID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .text(uuidString.lowercased()) }
    public static func decode(from value: DatabaseValue) -> UUID? { String.decode(from: value).flatMap(UUID.init) }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { self?.databaseValue ?? .null }

    public static func decode(from value: DatabaseValue) -> Wrapped?? {
        if value == .null { return .some(nil) }
        return Wrapped.decode(from: value).map { .some($0) }
    }
}

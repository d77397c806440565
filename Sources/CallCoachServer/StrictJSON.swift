import CallCoachCore
import CallCoachHTTP
import Foundation

/// Request bodies that must be a JSON object with exactly the allowed fields: unknown fields and
/// missing required ones are refused before any value is used.
enum StrictJSON {
    static let maximumBytes = 64 * 1024

    static func decode<Value: Decodable>(
        _ type: Value.Type, from request: Request, allowed: Set<String>, required: Set<String>? = nil
    ) async throws -> Value {
        let (object, bytes) = try await object(from: request)
        let keys = Set(object.keys)
        guard keys.isSubset(of: allowed), (required ?? allowed).isSubset(of: keys) else {
            throw IdentityError(.invalidRequest)
        }
        do {
            return try JSON.decode(type, from: bytes)
        } catch {
            throw IdentityError(.invalidRequest)
        }
    }

    /// What one field of a public body must be.
    struct Field: Sendable {
        enum Kind: Sendable {
            /// Text whose length, in characters after trimming, lies in the range.
            case text(ClosedRange<Int>)
            case email
            case integer(ClosedRange<Int>)
            /// `true` or `false`, never a number.
            case boolean
            /// A JSON object of short text values.
            case object
        }

        let name: String
        let kind: Kind
        let required: Bool

        static func text(_ name: String, _ lengths: ClosedRange<Int>, required: Bool = true) -> Field {
            Field(name: name, kind: .text(lengths), required: required)
        }
        static func email(_ name: String) -> Field { Field(name: name, kind: .email, required: true) }
        static func object(_ name: String, required: Bool = true) -> Field {
            Field(name: name, kind: .object, required: required)
        }
        static func integer(_ name: String, _ range: ClosedRange<Int>, required: Bool = true) -> Field {
            Field(name: name, kind: .integer(range), required: required)
        }
        static func boolean(_ name: String, required: Bool = true) -> Field {
            Field(name: name, kind: .boolean, required: required)
        }
    }

    /// Decodes a body that must hold exactly `fields`, each of its type and length; a 400 names
    /// the first field that is wrong (never echoing the client's own field names or values).
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, fields: [Field]) async throws
        -> Value
    {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(415, detail: "The request body must be application/json.")
        }
        return try decode(type, fromPart: try await request.body.collect(upTo: maximumBytes), fields: fields)
    }

    /// The same check for JSON that arrived some other way (a part of a multipart upload); an
    /// empty part counts as an empty object.
    static func decode<Value: Decodable>(_ type: Value.Type, fromPart bytes: [UInt8], fields: [Field]) throws -> Value {
        let bytes = bytes.isEmpty ? Array("{}".utf8) : bytes
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw invalid("The body must be one JSON object.")
        }
        let names = Set(fields.map(\.name))
        guard Set(object.keys).isSubset(of: names) else {
            throw invalid("The body has fields this endpoint does not accept; it accepts \(names.sorted()).")
        }
        for field in fields {
            guard let value = object[field.name], !(value is NSNull) else {
                if field.required { throw invalid("The field \"\(field.name)\" is required.") }
                continue
            }
            guard field.accepts(value) else { throw invalid("The field \"\(field.name)\" \(field.expectation).") }
        }
        do {
            return try JSON.decode(type, from: bytes)
        } catch {
            throw invalid("The body does not match what this endpoint accepts.")
        }
    }

    private static func object(from request: Request) async throws -> ([String: Any], [UInt8]) {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(415, detail: "The request body must be application/json.")
        }
        let bytes = try await request.body.collect(upTo: maximumBytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw invalid("The body must be one JSON object.")
        }
        return (object, bytes)
    }

    static func invalid(_ detail: String) -> HTTPError {
        HTTPError(400, detail: detail, type: "https://callcoach.invalid/problems/invalid-body")
    }
}

extension StrictJSON.Field {
    func accepts(_ value: Any) -> Bool {
        switch kind {
        case .text(let lengths):
            guard let text = value as? String else { return false }
            return lengths.contains(text.trimmingCharacters(in: .whitespacesAndNewlines).count)
                && !text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" }
        case .email:
            guard let text = value as? String, text.count <= 254 else { return false }
            return EmailAddress(text) != nil
        case .integer(let range):
            guard let number = value as? NSNumber, !isJSONBoolean(value),
                let integer = Int(exactly: number.doubleValue)
            else { return false }
            return range.contains(integer)
        case .boolean:
            return isJSONBoolean(value)
        case .object:
            guard let object = value as? [String: Any], object.count <= 16 else { return false }
            return object.allSatisfy { ($0.value as? String).map { $0.count <= 64 } ?? false }
        }
    }

    var expectation: String {
        switch kind {
        case .text(let lengths): "must be text of \(lengths.lowerBound) to \(lengths.upperBound) characters"
        case .email: "must be an e-mail address"
        case .integer(let range): "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .boolean: "must be true or false"
        case .object: "must be an object of short text values"
        }
    }
}

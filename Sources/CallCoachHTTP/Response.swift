import Foundation

/// An HTTP response with its whole body in memory.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int = 200, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response.
    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// A JSON response encoded with sorted keys and ISO 8601 dates.
    public static func json<Value: Encodable>(_ value: Value, status: Int = 200) throws -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(try JSON.encode(value)))
    }

    /// The response body as UTF-8 text, for tests and diagnostics.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// The JSON settings every part of the API shares.
public enum JSON {
    public static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(bytes))
    }
}

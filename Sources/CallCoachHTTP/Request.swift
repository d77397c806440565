/// An HTTP request as handlers see it: the head parsed, the body still a stream.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent: path and query.
    public var target: String
    /// The path exactly as sent, still percent-encoded.
    public var rawPath: String
    /// Query items, percent-decoded, in the order sent.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: RequestBody
    /// `https` or `http`: how the request reached this server.
    public var scheme: String
    /// The request id: the client's `X-Request-Id` when well-formed, otherwise a fresh one.
    public var id: String
    /// Values of the route's `{name}` segments, percent-decoded.
    public var parameters: [String: String] = [:]
    /// The matched route pattern, e.g. `/api/v1/companies/{companyId}`.
    public var route: String?
    /// The matched route's access rule.
    public var access: (any RouteAccess)?
    /// Size of the request head as received, for the header limit.
    public var headBytes: Int
    /// The numeric address of the connection's peer. Personal data: hash it before storing, never log it.
    public var remoteAddress: String?
    /// The connection's own peer, when `remoteAddress` was taken from a trusted proxy's `X-Forwarded-For`.
    public var peerAddress: String?
    /// The content-security-policy nonce of this request's response: fresh for every request.
    public let cspNonce = SecurityHeaders.makeNonce()
    /// Whether the matched route's responses may be cached.
    public var cachePolicy = CachePolicy.noStore
    /// Values middleware attach for later stages (the authenticated actor, for example).
    public var attributes = RequestAttributes()
    /// Set when the query string has a malformed escape or invalid UTF-8; answered with 400.
    public let hasMalformedQuery: Bool

    public init(
        method: HTTPMethod, target: String, headers: HTTPHeaders = [:], body: RequestBody = .empty,
        scheme: String = "https", headBytes: Int? = nil, id: String? = nil, remoteAddress: String? = nil
    ) {
        self.remoteAddress = remoteAddress
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.method = method
        self.target = target
        self.rawPath = String(parts.first ?? "")
        let query = parts.count > 1 ? Self.parseQuery(String(parts[1])) : []
        self.query = query ?? []
        self.hasMalformedQuery = query == nil
        self.headers = headers
        self.body = body
        self.scheme = scheme
        self.id = id ?? RequestID.accept(headers["X-Request-Id"]) ?? RequestID.generate()
        self.headBytes = headBytes ?? Self.estimateHeadBytes(target: target, headers: headers)
    }

    /// The first query value named `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The value of a path parameter, or a 404 if the route has none by that name.
    public func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw HTTPError.notFound }
        return value
    }

    /// The decoded query items, or `nil` when any item is malformed.
    static func parseQuery(_ text: String) -> [(name: String, value: String)]? {
        var items: [(name: String, value: String)] = []
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decode(String(parts[0]), plusAsSpace: true),
                let value = parts.count > 1 ? PercentEncoding.decode(String(parts[1]), plusAsSpace: true) : ""
            else { return nil }
            items.append((name, value))
        }
        return items
    }

    static func estimateHeadBytes(target: String, headers: HTTPHeaders) -> Int {
        headers.reduce(target.utf8.count + 16) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }
}

/// Typed per-request storage for values that middleware hands to later stages.
public struct RequestAttributes: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: RequestAttributeKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// Names a value in `RequestAttributes`.
public protocol RequestAttributeKey {
    associatedtype Value: Sendable
}

/// Request ids: accepted from the client only in a shape that cannot carry personal data.
public enum RequestID {
    /// The client's id if it is 1–64 letters, digits and hyphens; anything else is replaced.
    public static func accept(_ candidate: String?) -> String? {
        guard let candidate, (1...64).contains(candidate.utf8.count) else { return nil }
        let allowed = candidate.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D
        }
        return allowed ? candidate : nil
    }

    /// A fresh 128-bit id in hexadecimal.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Percent-decoding that refuses malformed escapes and invalid UTF-8, and its inverse.
public enum PercentEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// One path segment or query value: every byte but RFC 3986's ASCII unreserved ones escaped.
    public static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    public static func decode(_ text: String, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue),
                    high << 4 | low != 0
                else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

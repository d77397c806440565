import Foundation

/// A streaming `multipart/form-data` parser (RFC 7578): bytes go in as they arrive, parts come
/// out as a head followed by pieces of content, so a part of any size passes through in bounded
/// memory.
public struct MultipartParser: Sendable {
    public struct PartHead: Sendable, Equatable {
        public let name: String
        public let filename: String?
        public let contentType: String?
    }

    public enum Event: Sendable, Equatable {
        case head(PartHead)
        case content([UInt8])
        case end
    }

    public enum Failure: Error, Sendable, Equatable {
        case malformed(String)
    }

    /// The boundary from a `Content-Type: multipart/form-data; boundary=…` value.
    public static func boundary(fromContentType value: String?) -> String? {
        guard let value, value.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let boundary =
                pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") ? String(pair[1].dropFirst().dropLast()) : pair[1]
            return (1...70).contains(boundary.utf8.count) ? boundary : nil
        }
        return nil
    }

    private enum State: Sendable {
        case preamble, head, content, done
    }

    private let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    private var state = State.preamble
    private let maxHeadBytes = 8 * 1024
    public private(set) var partCount = 0
    public static let maxParts = 16

    public init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Whether the closing boundary has been seen.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Consumes a chunk and returns the events it completes.
    public mutating func feed(_ chunk: [UInt8]) throws(Failure) -> [Event] {
        if buffer.isEmpty, case .preamble = state {
            // The first boundary has no CRLF before it; pretend it had.
            buffer = [13, 10]
        }
        buffer.append(contentsOf: chunk)
        var events: [Event] = []
        while true {
            switch state {
            case .preamble:
                guard let index = Self.find(delimiter, in: buffer) else {
                    if buffer.count > 64 * 1024 { throw .malformed("no opening boundary") }
                    return events
                }
                buffer.removeFirst(index + delimiter.count)
                state = .head
            case .head:
                guard buffer.count >= 2 else { return events }
                if buffer[0] == UInt8(ascii: "-") && buffer[1] == UInt8(ascii: "-") {
                    state = .done
                    buffer = []
                    return events
                }
                guard let end = Self.find([13, 10, 13, 10], in: buffer) else {
                    if buffer.count > maxHeadBytes { throw .malformed("a part's header is too large") }
                    return events
                }
                guard buffer[0] == 13, buffer[1] == 10 else { throw .malformed("a boundary is followed by junk") }
                let head = try Self.parseHead(Array(buffer[2..<end]))
                partCount += 1
                guard partCount <= Self.maxParts else { throw .malformed("too many parts") }
                buffer.removeFirst(end + 4)
                events.append(.head(head))
                state = .content
            case .content:
                if let index = Self.find(delimiter, in: buffer) {
                    if index > 0 { events.append(.content(Array(buffer[..<index]))) }
                    events.append(.end)
                    buffer.removeFirst(index + delimiter.count)
                    state = .head
                } else {
                    // Keep what could be the start of a delimiter; hand out the rest.
                    let safe = buffer.count - (delimiter.count - 1)
                    if safe > 0 {
                        events.append(.content(Array(buffer[..<safe])))
                        buffer.removeFirst(safe)
                    }
                    return events
                }
            case .done:
                buffer = []
                return events
            }
        }
    }

    /// Checks that the body ended with the closing boundary.
    public func finish() throws(Failure) {
        guard isComplete else { throw .malformed("the body ended before the closing boundary") }
    }

    static func parseHead(_ bytes: [UInt8]) throws(Failure) -> PartHead {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("a part header is not UTF-8")
        }
        var name: String?
        var filename: String?
        var contentType: String?
        for line in text.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("a part header line has no colon") }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "content-disposition":
                guard value.lowercased().hasPrefix("form-data") else { throw .malformed("a part is not form-data") }
                for parameter in Self.parameters(value) {
                    if parameter.key == "name" { name = parameter.value }
                    if parameter.key == "filename" { filename = parameter.value }
                }
            case "content-type":
                contentType = value.lowercased()
            default:
                continue
            }
        }
        guard let name, !name.isEmpty else { throw .malformed("a part has no name") }
        return PartHead(name: name, filename: filename, contentType: contentType)
    }

    /// `key=value` and `key="quoted value"` parameters after the first `;`.
    static func parameters(_ value: String) -> [(key: String, value: String)] {
        var result: [(String, String)] = []
        var rest = Substring(value)
        guard let first = rest.firstIndex(of: ";") else { return [] }
        rest = rest[rest.index(after: first)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var parsed = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        parsed.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        parsed.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                parsed = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            result.append((key, parsed))
        }
        return result
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        return haystack.withUnsafeBufferPointer { bytes in
            while index <= last {
                if bytes[index] == first {
                    var match = true
                    for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                        match = false
                        break
                    }
                    if match { return index }
                }
                index += 1
            }
            return nil
        }
    }
}

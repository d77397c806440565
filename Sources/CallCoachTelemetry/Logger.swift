import Foundation
import Synchronization

/// How much a log line matters; `info` is for lifecycle events, `debug` and `trace` for detail.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace, debug, info, warning, error

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The only metadata keys a log line may carry.
///
/// There is deliberately no key for an e-mail address, a client address, a token or free text:
/// what cannot be named cannot be logged.
public enum LogKey: String, Sendable, CaseIterable {
    case requestID = "request_id"
    case companyID = "company_id"
    case userID = "user_id"
    case callID = "call_id"
    case jobID = "job_id"
    case method
    case route
    case status
    case durationMilliseconds = "duration_ms"
    case bytes
    case errorCode = "error_code"
    case errorType = "error_type"
    case port
    case scheme
    case count
    case version
    case path
    case fingerprint
    case reason
    case policy
}

/// A typed metadata value; strings are identifiers the code chose (ids, route patterns), never user text.
public enum LogValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
}

/// Where finished log lines go.
public protocol LogSink: Sendable {
    func write(line: String)
}

/// Writes each line to standard error with a single `write(2)`.
public struct StandardErrorSink: LogSink {
    public init() {}

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Keeps lines in memory; tests read them back.
public final class MemorySink: LogSink {
    private let storage = Mutex<[String]>([])

    public init() {}

    public func write(line: String) {
        storage.withLock { $0.append(line) }
    }

    public var lines: [String] { storage.withLock { $0 } }
}

/// Structured JSON-lines logger with typed metadata keys.
///
/// Messages are `StaticString`s so no message can be assembled from user data at run time.
public struct Logger: Sendable {
    public var level: LogLevel
    public var metadata: [LogKey: LogValue]
    private let sink: any LogSink

    public init(level: LogLevel = .info, sink: any LogSink = StandardErrorSink(), metadata: [LogKey: LogValue] = [:]) {
        self.level = level
        self.sink = sink
        self.metadata = metadata
    }

    /// A logger that adds `value` under `key` to every line.
    public func with(_ key: LogKey, _ value: LogValue) -> Logger {
        var copy = self
        copy.metadata[key] = value
        return copy
    }

    public func log(
        _ level: LogLevel, _ event: StaticString, _ message: StaticString = "", _ extra: [LogKey: LogValue] = [:]
    ) {
        guard level >= self.level else { return }
        var fields = metadata
        fields.merge(extra) { _, new in new }
        sink.write(line: Self.encode(level: level, event: event, message: message, fields: fields))
    }

    public func trace(_ event: StaticString, _ message: StaticString = "", _ extra: [LogKey: LogValue] = [:]) {
        log(.trace, event, message, extra)
    }

    public func debug(_ event: StaticString, _ message: StaticString = "", _ extra: [LogKey: LogValue] = [:]) {
        log(.debug, event, message, extra)
    }

    public func info(_ event: StaticString, _ message: StaticString = "", _ extra: [LogKey: LogValue] = [:]) {
        log(.info, event, message, extra)
    }

    public func warning(_ event: StaticString, _ message: StaticString = "", _ extra: [LogKey: LogValue] = [:]) {
        log(.warning, event, message, extra)
    }

    public func error(_ event: StaticString, _ message: StaticString = "", _ extra: [LogKey: LogValue] = [:]) {
        log(.error, event, message, extra)
    }

    static func encode(level: LogLevel, event: StaticString, message: StaticString, fields: [LogKey: LogValue])
        -> String
    {
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(level.name)\""
        line += ",\"event\":" + JSONText.quoted(event.description)
        if message.utf8CodeUnitCount > 0 {
            line += ",\"message\":" + JSONText.quoted(message.description)
        }
        for key in LogKey.allCases {
            guard let value = fields[key] else { continue }
            line += ",\"\(key.rawValue)\":" + value.json
        }
        return line + "}"
    }

    /// The current UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`, formatted without Foundation.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-"
        text += padded(Int(parts.tm_mday), 2) + "T" + padded(Int(parts.tm_hour), 2) + ":"
        text += padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2) + "."
        return text + padded(now.tv_nsec / 1_000_000, 3) + "Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension LogValue {
    var json: String {
        switch self {
        case .int(let value): String(value)
        case .double(let value): value.isFinite ? String((value * 1000).rounded() / 1000) : "null"
        case .bool(let value): value ? "true" : "false"
        case .string(let value): JSONText.quoted(value)
        }
    }
}

/// Minimal JSON string quoting, shared by the log encoder and the metrics exposition.
public enum JSONText {
    public static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

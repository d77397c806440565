import Foundation

/// A fresh directory under the system's temporary directory, removed when released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "callcoach-test") throws {
        // mkdtemp replaces the trailing six placeholder characters.
        let placeholder = String(repeating: "X", count: 6)
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-\(placeholder)").utf8CString)
        guard let created = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(decoding: UnsafeRawBufferPointer(start: created, count: strlen(created)), as: UTF8.self)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

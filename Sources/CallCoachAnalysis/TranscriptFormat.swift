/// The transcript file formats the importer reads.
public enum TranscriptFormat: String, Codable, Sendable, CaseIterable {
    case json
    case webVTT
    case srt

    /// Works out the format of an upload.
    ///
    /// A recognised content type wins, then a recognised file extension, then the bytes themselves:
    /// a `WEBVTT` header, a JSON object, or an SRT cue (a number line followed by a timing line).
    /// - Parameters:
    ///   - bytes: The upload.
    ///   - contentType: The declared media type, parameters allowed (`text/vtt; charset=utf-8`).
    ///   - filename: The uploaded file's name.
    /// - Returns: The format, or `nil` when nothing identifies one.
    public static func detect(bytes: [UInt8], contentType: String?, filename: String?) -> TranscriptFormat? {
        if let contentType, let format = fromContentType(contentType) { return format }
        if let filename, let format = fromFilename(filename) { return format }
        return sniff(bytes)
    }

    private static func fromContentType(_ contentType: String) -> TranscriptFormat? {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        switch mediaType.trimmingASCIISpaces().lowercased() {
        case "application/json", "text/json": return .json
        case "text/vtt": return .webVTT
        case "application/x-subrip", "text/srt", "application/srt", "text/x-srt": return .srt
        default: return nil
        }
    }

    private static func fromFilename(_ filename: String) -> TranscriptFormat? {
        guard let dot = filename.lastIndex(of: ".") else { return nil }
        switch filename[filename.index(after: dot)...].lowercased() {
        case "json": return .json
        case "vtt": return .webVTT
        case "srt": return .srt
        default: return nil
        }
    }

    private static func sniff(_ bytes: [UInt8]) -> TranscriptFormat? {
        let prefix = String(decoding: bytes.prefix(512), as: UTF8.self)
        let text = prefix.hasPrefix("\u{FEFF}") ? String(prefix.dropFirst()) : prefix
        if CueText.hasWebVTTHeader(text) { return .webVTT }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingASCIISpaces() }
            .drop { $0.isEmpty }
        if lines.first?.first == "{" { return .json }
        let firstTwo = Array(lines.prefix(2))
        if firstTwo.count == 2, !firstTwo[0].isEmpty, firstTwo[0].allSatisfy(\.isASCIIDigit),
            CueText.timing(firstTwo[1], style: .srt) != nil
        {
            return .srt
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

import Foundation

/// Line-level rules shared by the WebVTT and SRT readers: headers, timing lines and cue payloads.
enum CueText {
    /// Which subtitle dialect a timing line follows.
    enum Style {
        /// `HH:MM:SS.mmm` with the hours optional.
        case webVTT
        /// `HH:MM:SS,mmm`.
        case srt
    }

    /// A cue's start and end, in seconds.
    struct Timing {
        let start: Double
        let end: Double
    }

    /// What a cue says and who says it, when the cue names a speaker.
    struct Payload {
        let speaker: String?
        let text: String
    }

    /// Whether `text` opens with the `WEBVTT` signature (followed by the end, a space, a tab or a newline).
    static func hasWebVTTHeader(_ text: some StringProtocol) -> Bool {
        guard text.hasPrefix("WEBVTT") else { return false }
        guard let next = text.dropFirst(6).first else { return true }
        return next == " " || next == "\t" || next.isNewline
    }

    /// The times of a `start --> end [settings]` line; anything after the end time is ignored.
    static func timing(_ line: some StringProtocol, style: Style) -> Timing? {
        let line = String(line)
        guard let arrow = line.range(of: "-->") else { return nil }
        let startText = line[..<arrow.lowerBound].trimmingASCIISpaces()
        let endText = line[arrow.upperBound...].trimmingASCIISpaces().prefix { $0 != " " && $0 != "\t" }
        guard let start = seconds(startText, style: style), let end = seconds(endText, style: style) else {
            return nil
        }
        return Timing(start: start, end: end)
    }

    /// The speaker and plain text of a cue's payload lines.
    ///
    /// The speaker comes from the first `<v Name>` voice tag, or else from a `Name:` prefix. Other tags
    /// are removed, the common character references decoded and whitespace collapsed.
    static func payload(_ lines: some Sequence<Substring>) -> Payload {
        let raw = lines.joined(separator: " ")
        let text = collapsingWhitespace(decodingReferences(strippingTags(raw)))
        if let voice = voiceName(in: raw) { return Payload(speaker: voice, text: text) }
        if let prefixed = namePrefix(of: text) { return prefixed }
        return Payload(speaker: nil, text: text)
    }

    /// Runs of whitespace as single spaces, without leading or trailing whitespace.
    static func collapsingWhitespace(_ text: some StringProtocol) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func seconds(_ text: some StringProtocol, style: Style) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 || (style == .webVTT && parts.count == 2) else { return nil }
        let fraction = parts[parts.count - 1].split(
            separator: style == .srt ? "," : ".", omittingEmptySubsequences: false)
        guard fraction.count == 2, let seconds = number(fraction[0], digits: 2...2), seconds < 60,
            let millis = number(fraction[1], digits: 3...3),
            let minutes = number(parts[parts.count - 2], digits: 2...2), minutes < 60
        else { return nil }
        var hours = 0
        if parts.count == 3 {
            guard let value = number(parts[0], digits: 1...6) else { return nil }
            hours = value
        }
        let totalMillis = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
        return Double(totalMillis) / 1000
    }

    private static func number(_ text: some StringProtocol, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.count), text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }

    private static func voiceName(in raw: String) -> String? {
        var rest = raw[...]
        while let open = rest.firstIndex(of: "<") {
            let afterOpen = rest[rest.index(after: open)...]
            guard let close = afterOpen.firstIndex(of: ">") else { return nil }
            let tag = afterOpen[..<close]
            if tag.first == "v", let marker = tag.dropFirst().first, marker == " " || marker == "\t" || marker == "." {
                // `<v.class1.class2 Name>`: the name follows the first space.
                guard let space = tag.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
                let name = collapsingWhitespace(tag[space...])
                return name.isEmpty ? nil : name
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return nil
    }

    private static func strippingTags(_ raw: String) -> String {
        var result = ""
        var pending = ""
        var inTag = false
        for character in raw {
            if inTag {
                pending.append(character)
                if character == ">" {
                    inTag = false
                    pending = ""
                }
            } else if character == "<" {
                inTag = true
                pending = "<"
            } else {
                result.append(character)
            }
        }
        return result + pending
    }

    private static func decodingReferences(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let references = [
            ("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&quot;", "\""), ("&apos;", "'"), ("&lrm;", ""),
            ("&rlm;", ""), ("&amp;", "&"),
        ]
        return references.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// `Name: text`, where the name starts with a letter and is at most four words and 40 characters.
    // Limitation: a sentence opening with a label such as "Note: …" reads as a speaker name.
    private static func namePrefix(of text: String) -> Payload? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingASCIISpaces()
        let after = text[text.index(after: colon)...]
        guard (1...40).contains(name.count), name.first?.isLetter == true,
            name.allSatisfy({ $0.isLetter || $0.isNumber || " .-_'".contains($0) }),
            name.split(separator: " ").count <= 4, after.isEmpty || after.first?.isWhitespace == true
        else { return nil }
        return Payload(speaker: collapsingWhitespace(name), text: collapsingWhitespace(after))
    }
}

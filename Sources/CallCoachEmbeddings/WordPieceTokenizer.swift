import Foundation

/// BERT's uncased tokenizer, as all-MiniLM-L6-v2 was trained with it: text is cleaned (control
/// characters dropped, every kind of space made a plain one), CJK ideographs stand alone,
/// accents are stripped (NFD, then nonspacing marks removed), text is lower-cased, split on
/// spaces and punctuation, then each word is cut greedily into the longest pieces in the
/// vocabulary, continuation pieces marked `##`. A word longer than 100 characters, or one with a
/// part the vocabulary lacks, becomes `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    public static let maximumWordLength = 100

    let ids: [String: Int32]
    public let unknown: Int32
    public let classify: Int32
    public let separator: Int32

    /// Reads `vocab.txt`: one token per line, its id the line number from 0.
    public init(vocabularyPath path: String) throws(EmbeddingError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EmbeddingError("the vocabulary file \(path) is missing or unreadable")
        }
        try self.init(vocabulary: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }

    public init(vocabulary lines: [String]) throws(EmbeddingError) {
        var ids: [String: Int32] = [:]
        for (index, line) in lines.enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : line
            if !token.isEmpty, ids[token] == nil { ids[token] = Int32(index) }
        }
        guard let unknown = ids["[UNK]"], let classify = ids["[CLS]"], let separator = ids["[SEP]"] else {
            throw EmbeddingError("the vocabulary lacks [UNK], [CLS] or [SEP]")
        }
        self.ids = ids
        self.unknown = unknown
        self.classify = classify
        self.separator = separator
    }

    /// The ids of `text` between `[CLS]` and `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        [classify] + pieces(of: text) + [separator]
    }

    /// The ids of `text`'s pieces without the markers, e.g. for cutting long text into chunks.
    public func pieces(of text: String) -> [Int32] {
        words(text).flatMap { wordPieces($0) }
    }

    /// The normalised words and punctuation marks of `text`.
    func words(_ text: String) -> [String] {
        var spaced = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                spaced.append(" ")
            } else if Self.isIdeograph(scalar) {
                spaced.append(" ")
                spaced.append(scalar)
                spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        let stripped = String(spaced).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark
        }
        let lowered = String(String.UnicodeScalarView(stripped)).lowercased()
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in lowered.unicodeScalars {
            if Self.isWhitespace(scalar) {
                flush()
            } else if Self.isPunctuation(scalar) {
                flush()
                words.append(String(scalar))
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    /// Greedy longest-match-first WordPiece on one word.
    func wordPieces(_ word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= Self.maximumWordLength else { return [unknown] }
        var result: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var candidate = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknown] }
            result.append(found)
            start = end
        }
        return result
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r": true
        default: scalar.properties.generalCategory == .spaceSeparator
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// ASCII symbols count as punctuation too, as in BERT: `$`, `+`, `^`, `` ` ``, `|`, `~`, …
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
        {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits character by character.
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default: false
        }
    }
}

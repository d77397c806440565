/// A word of an utterance as rules see it: lower-cased, or, for a number, its digits.
///
/// Numbers are normalised so rules match what was said however it was written down: digit words
/// ("four one one one"), teens and tens ("twenty one" → 21), "double" and "triple" ("double
/// five" → 55), "oh" or "o" next to another digit (as zero), and digit groups split by spaces,
/// hyphens, commas or dots ("4111-1111") all become one number token of consecutive digits.
/// `range` covers the original text from the token's first character to its last, so evidence
/// is always a verbatim slice of the transcript.
public struct TextToken: Sendable, Equatable {
    public let text: String
    public let isNumber: Bool
    public let range: Range<String.Index>
}

public enum TextTokens {
    static let digitWords = [
        "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
        "eight": "8", "nine": "9",
    ]
    static let teens = [
        "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
        "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
    ]
    static let tens = [
        "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7", "eighty": "8",
        "ninety": "9",
    ]

    /// The words of `text`: runs of letters, digits and combining marks, with apostrophes
    /// inside a word kept. Walks Unicode scalars, not characters: grapheme breaking would cost
    /// more than everything else a rule does.
    static func words(_ text: String) -> [(word: String, range: Range<String.Index>)] {
        let scalars = text.unicodeScalars
        var words: [(String, Range<String.Index>)] = []
        var start: String.Index?
        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
            case 0..<0x80: return false
            default:
                let properties = scalar.properties
                if properties.isAlphabetic || properties.numericType != nil { return true }
                switch properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: return true
                default: return false
                }
            }
        }
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            let inWord =
                isWordScalar(scalar)
                || (start != nil && (scalar == "'" || scalar == "\u{2019}") && next < scalars.endIndex
                    && isWordScalar(scalars[next]))
            if inWord {
                if start == nil { start = index }
            } else if let first = start {
                words.append((String(scalars[first..<index]), first..<index))
                start = nil
            }
            index = next
        }
        if let first = start { words.append((String(scalars[first...]), first..<scalars.endIndex)) }
        return words.map { word in
            let lowered = word.0.lowercased()
            return (
                lowered.contains("\u{2019}") ? lowered.replacingOccurrences(of: "\u{2019}", with: "'") : lowered, word.1
            )
        }
    }

    /// The tokens of `text`, numbers normalised and merged.
    public static func tokens(_ text: String) -> [TextToken] {
        let words = words(text)
        // First pass: each word as digits, when it is a number word (nil otherwise).
        var digits: [String?] = words.map { word in
            if word.word.allSatisfy(\.isNumber) {
                return String(word.word.compactMap { $0.wholeNumberValue }.map(String.init).joined())
            }
            return digitWords[word.word] ?? teens[word.word]
        }
        var consumed = [Bool](repeating: false, count: words.count)
        for index in words.indices {
            let word = words[index].word
            let following = index + 1 < words.count ? digits[index + 1] : nil
            if let ten = tens[word] {
                // "twenty one" is 21; "twenty" alone is 20.
                if let unit = following, unit.count == 1, unit != "0" {
                    digits[index] = ten + unit
                    consumed[index + 1] = true
                } else {
                    digits[index] = ten + "0"
                }
            } else if word == "double" || word == "triple", let unit = following, unit.count == 1 {
                digits[index] = String(repeating: unit, count: word == "double" ? 2 : 3)
                consumed[index + 1] = true
            }
        }
        for index in words.indices where words[index].word == "oh" || words[index].word == "o" {
            let before = index > 0 && digits[index - 1] != nil
            let after = index + 1 < words.count && digits[index + 1] != nil
            if before || after { digits[index] = "0" }
        }
        var tokens: [TextToken] = []
        var index = 0
        while index < words.count {
            guard let first = digits[index] else {
                tokens.append(TextToken(text: words[index].word, isNumber: false, range: words[index].range))
                index += 1
                continue
            }
            // A run of number words and digit groups is one number.
            var value = first
            var last = index
            var next = index + 1
            while next < words.count, let more = digits[next] {
                if !consumed[next] { value += more }
                last = next
                next += 1
            }
            tokens.append(
                TextToken(
                    text: value, isNumber: true,
                    range: words[index].range.lowerBound..<words[last].range.upperBound))
            index = next
        }
        return tokens
    }
}

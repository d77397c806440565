import CallCoachAnalysis

/// A span of a call that was redacted, where it was said, and what it held.
public struct Redaction: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case cardNumber = "card number"
        case securityCode = "security code"
        case expiryDate = "expiry date"
        /// The health identifiers, redacted when the company runs the HIPAA identifiers pack.
        case socialSecurityNumber = "social security number"
        case dateOfBirth = "date of birth"
        case medicalRecordNumber = "medical record number"

        /// What stands in the text where the words were.
        public var marker: String { "[\(rawValue)]" }
    }

    public let kind: Kind
    public let utteranceID: String
    /// The speaker id of the utterance.
    public let speaker: String
    /// Seconds of the call, as closely as the transcript places the words.
    public let start: Double
    public let end: Double
}

/// Finds payment card data in a transcript and replaces it with typed markers, so nothing
/// stored, searched or embedded holds it:
///
/// - a **card number** is a number of 13 to 19 digits (spoken or written, in groups or not;
///   `docs/rules.md` says how numbers are read) that passes the Luhn check, or a longer number
///   with 13 to 19 digits in it that do (a recogniser that runs the digits together);
/// - a **security code** is a number of 3 or 4 digits within six words after `security code`,
///   `cvv`, `cvc`, `cvv2`, `csc` or `back of the card`;
/// - an **expiry date** is a number of 3 or 4 digits (`04/27`, `oh four twenty seven`) within
///   five words after `expires`, `expiry`, `expiration`, `exp`, `valid thru` or `valid through`.
///
/// With `health`, the identifiers of the HIPAA profile too: a **social security number** (nine
/// digits, or four to nine after `social security` or `ssn`), a **date of birth** (four to eight
/// digits after `date of birth`, `born on`, `dob` or `birthday`) and a **medical record number**
/// (five to twenty digits after `medical record`, `member id`, `member number` or `health plan`),
/// each within six words of its cue.
///
/// A number said across two utterances, or broken by other words ("four one one one, uh, one…"),
/// is not joined.
public enum Redactor {
    public static func redact(_ transcript: Transcript, health: Bool = false) -> (
        transcript: Transcript, redactions: [Redaction]
    ) {
        var redacted = transcript
        var redactions: [Redaction] = []
        for index in redacted.utterances.indices {
            let utterance = redacted.utterances[index]
            let tokens = TextTokens.tokens(utterance.text)
            let found = spans(tokens, health: health)
            guard !found.isEmpty else { continue }
            var text = utterance.text
            var words = utterance.words
            var inUtterance: [Redaction] = []
            // Replace from the end, so earlier ranges stay valid.
            for (token, kind) in found.reversed() {
                let range = tokens[token].range
                let (start, end) = time(of: range, in: utterance)
                if var timed = words {
                    // The words that say the number: number words near where the text places it
                    // (a second either side, for recognisers' timing), never other words.
                    let overlapping = timed.indices.filter {
                        timed[$0].end > start - 1 && timed[$0].start < end + 1 && Self.saysNumber(timed[$0].text)
                    }
                    if let first = overlapping.first, let last = overlapping.last {
                        let merged = Word(text: kind.marker, start: timed[first].start, end: timed[last].end)
                        timed.replaceSubrange(first...last, with: [merged])
                        words = timed
                    }
                }
                let wordTimes = words?.filter { $0.text == kind.marker && $0.end > start && $0.start < end }
                let spanStart = min(start, wordTimes?.map(\.start).min() ?? start)
                let spanEnd = max(end, wordTimes?.map(\.end).max() ?? end)
                inUtterance.append(
                    Redaction(
                        kind: kind, utteranceID: utterance.id, speaker: utterance.speaker, start: spanStart,
                        end: spanEnd))
                text.replaceSubrange(range, with: kind.marker)
            }
            redacted.utterances[index].text = text
            redacted.utterances[index].words = words
            redactions += inUtterance.reversed()
        }
        return (redacted, redactions)
    }

    static let securityCues: [[String]] = [
        ["security", "code"], ["cvv"], ["cvc"], ["cvv2"], ["csc"], ["back", "of", "the", "card"],
    ]
    static let expiryCues: [[String]] = [
        ["expires"], ["expiry"], ["expiration"], ["exp"], ["expire"], ["valid", "thru"], ["valid", "through"],
    ]

    static let healthCues: [(Redaction.Kind, ClosedRange<Int>, [[String]])] = [
        (.socialSecurityNumber, 4...9, [["social", "security"], ["ssn"]]),
        (.dateOfBirth, 4...8, [["date", "of", "birth"], ["born", "on"], ["dob"], ["birthday"]]),
        (
            .medicalRecordNumber, 5...20,
            [["medical", "record"], ["member", "id"], ["member", "number"], ["health", "plan"]]
        ),
    ]

    /// The tokens to redact, with what each holds, in order.
    static func spans(_ tokens: [TextToken], health: Bool = false) -> [(Int, Redaction.Kind)] {
        var found: [(Int, Redaction.Kind)] = []
        for (index, token) in tokens.enumerated() where token.isNumber {
            if Luhn.mayHoldCardNumber(token.text) {
                found.append((index, .cardNumber))
            } else if health, let kind = healthKind(of: index, in: tokens) {
                found.append((index, kind))
            } else if (3...4).contains(token.text.count) {
                // The nearer cue decides: "the CVV is 987 and the expiration is 0427".
                let security = distance(to: securityCues, before: index, in: tokens).flatMap { $0 <= 6 ? $0 : nil }
                let expiry = distance(to: expiryCues, before: index, in: tokens).flatMap { $0 <= 5 ? $0 : nil }
                switch (security, expiry) {
                case (let code?, let date?): found.append((index, code < date ? .securityCode : .expiryDate))
                case (.some, nil): found.append((index, .securityCode))
                case (nil, .some): found.append((index, .expiryDate))
                case (nil, nil): break
                }
            }
        }
        return found
    }

    /// The health identifier a number is, by the nearest cue before it (a lone nine-digit number
    /// is a social security number).
    static func healthKind(of index: Int, in tokens: [TextToken]) -> Redaction.Kind? {
        let digits = tokens[index].text.count
        var best: (Redaction.Kind, Int)?
        for (kind, lengths, cues) in healthCues where lengths.contains(digits) {
            if let distance = distance(to: cues, before: index, in: tokens), distance <= 6,
                distance < best?.1 ?? .max
            {
                best = (kind, distance)
            }
        }
        return best?.0 ?? (digits == 9 ? .socialSecurityNumber : nil)
    }

    /// How many tokens before `index` the nearest cue phrase ends (1: right before it).
    static func distance(to cues: [[String]], before index: Int, in tokens: [TextToken]) -> Int? {
        var nearest: Int?
        for cue in cues {
            var end = index
            while end >= cue.count, index - end < 8 {
                if tokens[(end - cue.count)..<end].map(\.text) == cue {
                    nearest = min(nearest ?? .max, index - end + 1)
                    break
                }
                end -= 1
            }
        }
        return nearest
    }

    /// Whether a recognised word is (part of) a spoken or written number.
    static func saysNumber(_ word: String) -> Bool {
        TextTokens.tokens(word).contains { $0.isNumber || ["oh", "o", "double", "triple"].contains($0.text) }
    }

    /// Where a part of an utterance's text was said, in proportion to its place in the text.
    static func time(of range: Range<String.Index>, in utterance: Utterance) -> (Double, Double) {
        let text = utterance.text
        let length = Double(max(1, text.unicodeScalars.count))
        let from = Double(text.unicodeScalars.distance(from: text.startIndex, to: range.lowerBound)) / length
        let to = Double(text.unicodeScalars.distance(from: text.startIndex, to: range.upperBound)) / length
        let duration = utterance.end - utterance.start
        return (utterance.start + duration * from, utterance.start + duration * to)
    }
}

import CallCoachAnalysis

/// A rule of the rule language (`docs/rules.md`): what to look for in a call's transcript and
/// metrics. Rules are stored as JSON and read by ``RuleParser``.
public indirect enum Rule: Sendable, Equatable {
    /// Any of the phrases occurs.
    case phrase([Pattern], Scope)
    /// A phrase of the first list occurs within `words` words of one of the second (`negated`:
    /// occurs with none of the second that close), in one utterance.
    case near(first: [Pattern], second: [Pattern], words: Int, negated: Bool, Scope)
    /// An utterance means what one of the examples means, at least as closely as `threshold`.
    case semantic(examples: [Example], threshold: Double, Scope)
    case metric(MetricCondition)
    /// Both rules hold and the first's earliest evidence comes before the second's.
    case firstBefore(Rule, Rule)
    /// The call started outside the hours (minutes after midnight, start inclusive, end exclusive)
    /// in the called party's time zone, from the call's metadata.
    case callTimeOutside(from: Int, to: Int)
    /// Card data of this kind was said and redacted.
    case redacted(Redaction.Kind)
    /// More than `moreThan` calls to the same consumer (this one included) within `days` days.
    case callsWithin(days: Int, moreThan: Int)
    /// The call came within `days` days after an earlier call in which the consumer spoke.
    case afterConversation(days: Int)
    case all([Rule])
    case any([Rule])
    case none([Rule])
    case not(Rule)
}

/// An example phrase of a semantic rule, with the content words the lexical fallback compares:
/// its words without the common function words, or all of them if it has no other.
public struct Example: Sendable, Equatable {
    public let text: String
    public let words: Set<String>

    static let stopWords: Set<String> = [
        "a", "an", "the", "i", "you", "we", "he", "she", "it", "they", "me", "my", "your", "our", "is", "are",
        "was", "were", "be", "to", "of", "and", "or", "in", "on", "at", "for", "with", "this", "that", "do",
        "does", "did", "have", "has", "can", "could", "would", "will", "please", "so", "just", "about",
    ]

    public init(_ text: String) {
        self.text = text
        let words = TextTokens.tokens(text).map(\.text)
        let content = words.filter { !Self.stopWords.contains($0) }
        self.words = Set(content.isEmpty ? words : content)
    }
}

/// Whose words and which part of the call a rule looks at.
public struct Scope: Sendable, Equatable {
    public enum Speaker: String, Sendable, Equatable, CaseIterable {
        case agent, customer, any
    }

    public enum Window: Sendable, Equatable {
        case firstSeconds(Double)
        case lastSeconds(Double)
        /// The first share of the call, 0…1.
        case firstShare(Double)
        case lastShare(Double)
    }

    public var speaker: Speaker = .any
    public var window: Window?

    public init(speaker: Speaker = .any, window: Window? = nil) {
        self.speaker = speaker
        self.window = window
    }

    /// The window's bounds in seconds of a call this long.
    func bounds(duration: Double) -> ClosedRange<Double> {
        switch window {
        case nil: 0...max(0, duration)
        case .firstSeconds(let seconds): 0...seconds
        case .lastSeconds(let seconds): max(0, duration - seconds)...max(0, duration)
        case .firstShare(let share): 0...(duration * share)
        case .lastShare(let share): (duration * (1 - share))...max(0, duration)
        }
    }
}

/// One element of a phrase: a word, a word prefix (`cancel*`), any one word (`*`), or a number
/// (`{number}`, or `{number:13-19}` for a number of 13 to 19 digits).
public enum PatternElement: Sendable, Equatable {
    case word(String)
    case prefix(String)
    case anyWord
    case number(ClosedRange<Int>?)
}

public struct Pattern: Sendable, Equatable {
    public let source: String
    public let elements: [PatternElement]
}

/// A condition on the call's measured conversation.
public struct MetricCondition: Sendable, Equatable {
    public enum Measure: String, Sendable, Equatable, CaseIterable {
        /// A stretch where both parties are silent longer than the value (seconds).
        case nonTalk
        /// The party's interruptions, compared with the value.
        case interruptions
        case wordsPerMinute
        /// The party's share of the speech, 0…1.
        case talkRatio
        /// The party's longest monologue, in seconds.
        case longestMonologue
        /// The mean sentiment (−5…+5) of the party's turns in the window.
        case sentiment
    }

    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case above, below
    }

    public let measure: Measure
    public let comparison: Comparison
    public let value: Double
    public let scope: Scope
}

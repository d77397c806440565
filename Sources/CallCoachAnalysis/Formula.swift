/// Units used in reports.
enum Unit {
    static let seconds = "s"
    static let ratio = "ratio"
    static let count = "count"
    static let wordsPerMinute = "words/min"
    static let fillersPerMinute = "fillers/min"
    static let switchesPerMinute = "switches/min"
    static let loudness = "loudness 0-100"
    static let score = "score -5..+5"
}

/// The formula text shown next to each reported value; `docs/metrics.md` explains each in full.
struct Formula {
    static let callDuration =
        "given call duration, raised to the last utterance end when shorter; the last utterance end when not given"
    static let speechTime = "length of the union of all utterance intervals"
    static let overlapTime = "length of (union of agent intervals) ∩ (union of customer intervals)"
    static let nonTalkShare = "non-talk total / call duration; 0 when the call lasts 0 s"
    static let interruptionTotal = "agent interruptions + customer interruptions"
    static let interruptionTime = "sum of the overlap of every interruption"
    static let speakerSwitches = "number of consecutive turns (backchannels aside) spoken by different parties"
    static let interactivity = "speaker switches / (call duration / 60); 0 when the call lasts 0 s"

    static func nonTalk(_ threshold: Double) -> String {
        "sum of spans from 0 to call duration where neither party speaks, counting only spans longer than "
            + "\(threshold) s"
    }

    private let party: String
    private let other: String

    init(_ role: SpeakerRole) {
        party = role.rawValue
        other = role.other.rawValue
    }

    var turnCount: String { "number of \(party) utterances" }
    var talkTime: String { "length of the union of \(party) utterance intervals (own overlaps merged)" }
    var talkRatioOfSpeech: String {
        "\(party) talk time / (agent talk time + customer talk time); 0 when nobody speaks"
    }
    var talkRatioOfCall: String { "\(party) talk time / call duration; 0 when the call lasts 0 s" }
    var wordCount: String { "number of word tokens in \(party) utterance text" }
    var wordsPerMinute: String { "\(party) word count / (\(party) talk time / 60); 0 when talk time is 0" }
    var averageLoudness: String { "mean loudness of \(party) turns that have one; null when none has" }
    var interruptionOverlap: String {
        "sum over \(party) interruptions of min(interrupted end, interrupting end) − interrupting start"
    }
    var replies: String { "\(party) turns (backchannels aside) whose previous turn was the \(other)'s" }
    var overlappingReplies: String { "\(party) replies that start before the latest earlier turn ends" }
    var replyGapMedian: String {
        "median over \(party) replies of max(0, reply start − latest end of earlier turns); null without replies"
    }
    var replyGapLongest: String {
        "maximum over \(party) replies of max(0, reply start − latest end of earlier turns); null without replies"
    }
    var questions: String {
        "\(party) sentences ending in '?', plus unpunctuated final sentences opening with an interrogative"
    }
    var fillers: String {
        "\(party) occurrences of " + SpokenPhrases.fillerTerms.map { "'\($0)'" }.joined(separator: ", ")
    }
    var fillersPerMinute: String { "\(party) filler count / (\(party) talk time / 60); 0 when talk time is 0" }
    var sentimentOverall: String {
        "5 × (P − N) / (P + N + 2) over all \(party) turns, P and N the weighted positive and negative lexicon hits"
    }
    var sentimentQuarters: String {
        "5 × (P − N) / (P + N + 2) over the \(party) turns whose midpoint falls in each quarter of the call"
    }

    func monologue(gap: Double) -> String {
        "last end − first start of the longest run of \(party) turns, each starting < \(gap) s after the run "
            + "so far ends, with no \(other) turn (backchannels aside) starting within the run"
    }

    func interruptions(minimum: Double) -> String {
        "\(party) turns, not backchannels, starting inside a \(other) turn that is no backchannel, and outlasting "
            + "it or lasting ≥ \(minimum) s"
    }
}

/// The measurements for one side of the call.
public struct PartyReport: Codable, Sendable, Equatable {
    public var role: SpeakerRole
    public var turnCount: Metric<Int>
    public var talkTime: Metric<Double>
    /// Share of all speech: `talk / (agent talk + customer talk)`.
    public var talkRatioOfSpeech: Metric<Double>
    /// Share of the whole call: `talk / call duration`.
    public var talkRatioOfCall: Metric<Double>
    public var wordCount: Metric<Int>
    public var wordsPerMinute: Metric<Double>
    /// Mean of the party's per-turn loudness; `null` when no turn was measured.
    public var averageLoudness: Metric<Double?>
    public var longestMonologue: Monologue
    /// Interruptions this party made.
    public var interruptions: Interruptions
    /// How long this party waited before replying to the other.
    public var replyGap: ReplyGap
    public var questions: Metric<Int>
    public var fillers: Fillers
    public var sentiment: Sentiment

    /// The party's longest stretch of speech without the other party taking the floor.
    public struct Monologue: Codable, Sendable, Equatable {
        public var duration: Metric<Double>
        /// Where it lies; `null` when the party never spoke.
        public var span: TimeSpan?
        public var turnCount: Int

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(duration, forKey: .duration)
            try container.encode(span, forKey: .span)  // explicit null keeps the field set stable
            try container.encode(turnCount, forKey: .turnCount)
        }
    }

    /// Interruptions made by one party.
    public struct Interruptions: Codable, Sendable, Equatable {
        public var count: Metric<Int>
        public var overlapTime: Metric<Double>
        public var instances: [Interruption]
    }

    /// Pauses before this party's replies.
    public struct ReplyGap: Codable, Sendable, Equatable {
        public var replies: Metric<Int>
        /// Replies that began before the other party had finished (counted as a gap of 0).
        public var overlapping: Metric<Int>
        public var median: Metric<Double?>
        public var longest: Metric<Double?>
    }

    /// Filler words and phrases.
    public struct Fillers: Codable, Sendable, Equatable {
        public var count: Metric<Int>
        public var perMinute: Metric<Double>
        /// Every listed term, in the documented order, with its count (zero included).
        public var terms: [FillerCount]
    }

    /// How often one filler term was said.
    public struct FillerCount: Codable, Sendable, Equatable {
        public var term: String
        public var count: Int
    }

    /// Lexicon sentiment over the party's turns.
    public struct Sentiment: Codable, Sendable, Equatable {
        public var overall: Metric<Double>
        public var quarters: Metric<[QuarterScore]>
        public var positiveTurns: Int
        public var negativeTurns: Int
        public var neutralTurns: Int
        public var mixedTurns: Int
    }

    /// The sentiment score of the turns whose midpoints fall in one quarter of the call.
    public struct QuarterScore: Codable, Sendable, Equatable {
        /// 1–4.
        public var quarter: Int
        public var start: Double
        public var end: Double
        public var turnCount: Int
        public var score: Double
    }
}

/// A transcript prepared for measuring: ordered turns, the call's duration and per-turn measurements
/// that several metrics share.
struct Conversation {
    let turns: [Turn]
    let duration: Double
    let settings: MetricSettings
    let tallies: [SentimentScorer.Tally]
    let questionCounts: [Int]
    /// Per turn, counts parallel to ``SpokenPhrases/fillerTerms``.
    let fillerCounts: [[Int]]
    /// Per turn, the quarter (0–3) its midpoint falls in.
    let quarters: [Int]
    /// Each party's speech as disjoint intervals.
    let speech: [SpeakerRole: [Interval]]
    let interruptions: [Interruption]
    let replyGaps: [SpeakerRole: ReplyGapFinder.Gaps]

    init(_ transcript: Transcript, callDuration: Double?, settings: MetricSettings) {
        let turns = Turn.prepare(transcript, settings: settings)
        let lastEnd = turns.map(\.end).max() ?? 0
        let given = callDuration.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        let duration = max(given ?? 0, lastEnd)
        self.turns = turns
        self.duration = duration
        self.settings = settings
        tallies = turns.map { SentimentScorer.tally($0.words) }
        questionCounts = turns.map { QuestionCounter.count(in: $0.text) }
        fillerCounts = turns.map { FillerCounter.counts(in: $0.words.tokens) }
        quarters = turns.map { Conversation.quarter(of: $0.midpoint, duration: duration) }
        var speech: [SpeakerRole: [Interval]] = [:]
        for role in SpeakerRole.allCases {
            speech[role] = Interval.union(turns.filter { $0.role == role }.map(\.interval))
        }
        self.speech = speech
        interruptions = InterruptionFinder.find(in: turns, settings: settings)
        replyGaps = ReplyGapFinder.gaps(in: turns)
    }

    /// Positions in ``turns`` of one party's turns.
    func indices(of role: SpeakerRole) -> [Int] {
        turns.indices.filter { turns[$0].role == role }
    }

    func talkTime(_ role: SpeakerRole) -> Double {
        (speech[role] ?? []).reduce(0) { $0 + $1.length }
    }

    /// The start and end of quarter `index` (0–3) of the call.
    func quarterBounds(_ index: Int) -> (start: Double, end: Double) {
        (duration * Double(index) / 4, duration * Double(index + 1) / 4)
    }

    private static func quarter(of time: Double, duration: Double) -> Int {
        guard duration > 0 else { return 0 }
        return min(3, max(0, Int(time / (duration / 4))))
    }
}

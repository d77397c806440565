/// Per-turn measurements: one entry per analysed utterance, in time order.
public struct TurnReport: Codable, Sendable, Equatable {
    public var utteranceID: String
    public var speaker: String
    public var role: SpeakerRole
    public var start: Double
    public var end: Double
    public var wordCount: Int
    /// A listener response (`yeah`, `mm-hmm`, or any very short turn) rather than a turn that takes the floor.
    public var backchannel: Bool
    public var questions: Int
    public var fillers: Int
    /// Speech level 0–100 from the audio, `null` when not measured.
    public var loudness: Double?
    public var sentiment: SentimentLabel
    /// −5…+5 for this turn alone.
    public var sentimentScore: Double
    /// 1–4: the quarter of the call the turn's midpoint falls in.
    public var quarter: Int

    private enum CodingKeys: String, CodingKey {
        case speaker, role, start, end, wordCount, backchannel, questions, fillers, loudness, sentiment
        case sentimentScore, quarter
        case utteranceID = "utteranceId"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(utteranceID, forKey: .utteranceID)
        try container.encode(speaker, forKey: .speaker)
        try container.encode(role, forKey: .role)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(wordCount, forKey: .wordCount)
        try container.encode(backchannel, forKey: .backchannel)
        try container.encode(questions, forKey: .questions)
        try container.encode(fillers, forKey: .fillers)
        try container.encode(loudness, forKey: .loudness)  // explicit null keeps the field set stable
        try container.encode(sentiment, forKey: .sentiment)
        try container.encode(sentimentScore, forKey: .sentimentScore)
        try container.encode(quarter, forKey: .quarter)
    }
}

/// The overall tone of one turn.
public enum SentimentLabel: String, Codable, Sendable, CaseIterable {
    case positive
    case negative
    case neutral
    /// Both positive and negative words, neither outweighing the other twice over.
    case mixed
}

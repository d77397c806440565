/// One stretch of speech by one speaker, with times in seconds from the start of the call.
public struct Utterance: Codable, Sendable, Equatable {
    /// A stable identifier, `u1`, `u2`, … in time order, assigned by ``TranscriptParser``.
    public var id: String
    /// The ``Speaker/id`` of whoever spoke.
    public var speaker: String
    public var start: Double
    public var end: Double
    public var text: String
    /// Word timings, when the source has them.
    public var words: [Word]?
    /// Speech level on a 0–100 scale, measured from the audio; `nil` for imported transcripts.
    public var loudness: Double?

    public init(
        id: String, speaker: String, start: Double, end: Double, text: String, words: [Word]? = nil,
        loudness: Double? = nil
    ) {
        self.id = id
        self.speaker = speaker
        self.start = start
        self.end = end
        self.text = text
        self.words = words
        self.loudness = loudness
    }
}

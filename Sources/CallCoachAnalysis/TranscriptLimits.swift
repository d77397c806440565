/// Bounds every imported transcript must stay within.
public enum TranscriptLimits {
    /// Twelve hours, in seconds: no time may lie beyond it.
    public static let maximumTime: Double = 43_200
    /// Characters (grapheme clusters) per utterance text.
    public static let maximumTextLength = 10_000
    /// Utterances per transcript.
    public static let maximumUtterances = 20_000
    /// Timed words per utterance.
    public static let maximumWords = 10_000
    /// Declared speakers per JSON transcript.
    public static let maximumSpeakers = 100
    /// Characters per speaker id.
    public static let maximumSpeakerIDLength = 200
    /// Slack allowed when checking that a word lies inside its utterance, in seconds.
    public static let wordTolerance: Double = 0.001
}

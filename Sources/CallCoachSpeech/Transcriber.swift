import CallCoachAnalysis

/// A stretch of one channel's speech to recognise: 16 kHz mono samples and where it starts.
public struct SpeechClip: Sendable {
    /// Signed 16-bit samples at ``sampleRate``.
    public let samples: [Int16]
    /// Seconds from the start of the call to the clip's first sample.
    public let start: Double

    public static let sampleRate = 16_000

    public init(samples: [Int16], start: Double) {
        self.samples = samples
        self.start = start
    }

    public var duration: Double { Double(samples.count) / Double(Self.sampleRate) }
}

/// What a recogniser heard in one clip; times are seconds from the clip's start.
public struct RecognizedSegment: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var text: String
    public var words: [Word]

    public init(start: Double, end: Double, text: String, words: [Word] = []) {
        self.start = start
        self.end = end
        self.text = text
        self.words = words
    }
}

/// Why a clip could not be recognised. `retryable` failures (a provider that is down or busy)
/// are tried again later; the others (refused credentials, a model that does not exist) need
/// someone to change the AI configuration first.
public struct TranscriptionError: Error, Sendable, Equatable {
    public let reason: String
    public let retryable: Bool

    public init(_ reason: String, retryable: Bool) {
        self.reason = reason
        self.retryable = retryable
    }
}

/// A speech recogniser: the embedded engine, or an external provider from the company's AI
/// configuration. It sees one clip at a time; ``ChannelTranscription`` cuts the clips and puts
/// the results back on the call's timeline.
public protocol Transcriber: Sendable {
    /// Recorded in the call's report as who produced the words, e.g. `openai-compatible:whisper-1`.
    var name: String { get }

    func recognize(_ clip: SpeechClip) async throws(TranscriptionError) -> [RecognizedSegment]
}

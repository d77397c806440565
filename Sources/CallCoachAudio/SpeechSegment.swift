/// A stretch of one channel in which someone speaks.
public struct SpeechSegment: Sendable, Hashable {
    /// Seconds from the start of the recording.
    public let start: Double
    public let end: Double
    /// 0–100, see ``Loudness``.
    public let loudness: Double

    public init(start: Double, end: Double, loudness: Double) {
        self.start = start
        self.end = end
        self.loudness = loudness
    }

    public var duration: Double { end - start }
}

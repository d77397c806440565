/// A stretch of the call, in seconds from its start.
public struct TimeSpan: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// `end − start`.
    public var duration: Double

    /// A span with its times rounded to the millisecond.
    init(start: Double, end: Double) {
        self.start = Rounded.seconds(start)
        self.end = Rounded.seconds(end)
        self.duration = Rounded.seconds(end - start)
    }
}

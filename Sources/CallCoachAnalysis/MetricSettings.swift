/// The tunable thresholds behind the conversation metrics. Every report echoes the values it used.
public struct MetricSettings: Codable, Sendable, Equatable {
    /// Silence shared by both parties counts as non-talk time only when strictly longer than this, in seconds.
    public var nonTalkThreshold: Double
    /// A cut-in that ends before the interrupted turn does must last at least this long, in seconds.
    public var interruptionMinDuration: Double
    /// Turns with at most this many words (and at most ``backchannelMaxDuration``) are backchannels.
    public var backchannelMaxWords: Int
    /// Turns lasting at most this long (and at most ``backchannelMaxWords``) are backchannels, in seconds.
    public var backchannelMaxDuration: Double
    /// One party's turns separated by less than this join into one monologue, in seconds.
    public var monologueGap: Double

    public init(
        nonTalkThreshold: Double = 3, interruptionMinDuration: Double = 1, backchannelMaxWords: Int = 3,
        backchannelMaxDuration: Double = 1.5, monologueGap: Double = 1
    ) {
        self.nonTalkThreshold = nonTalkThreshold
        self.interruptionMinDuration = interruptionMinDuration
        self.backchannelMaxWords = backchannelMaxWords
        self.backchannelMaxDuration = backchannelMaxDuration
        self.monologueGap = monologueGap
    }

    /// The settings with every negative or non-finite value replaced by its default.
    var sanitized: MetricSettings {
        let defaults = MetricSettings()
        func usable(_ value: Double, _ fallback: Double) -> Double { value.isFinite && value >= 0 ? value : fallback }
        return MetricSettings(
            nonTalkThreshold: usable(nonTalkThreshold, defaults.nonTalkThreshold),
            interruptionMinDuration: usable(interruptionMinDuration, defaults.interruptionMinDuration),
            backchannelMaxWords: backchannelMaxWords >= 0 ? backchannelMaxWords : defaults.backchannelMaxWords,
            backchannelMaxDuration: usable(backchannelMaxDuration, defaults.backchannelMaxDuration),
            monologueGap: usable(monologueGap, defaults.monologueGap))
    }
}

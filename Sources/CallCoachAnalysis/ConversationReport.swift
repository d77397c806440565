/// Everything ``ConversationAnalyzer`` measures about one call, ready to encode as JSON.
///
/// Field names are stable camelCase; numbers are rounded (seconds to 1 ms, ratios to 4 decimals, rates
/// to 2, sentiment to 1) and are never NaN or infinite. Encode with `.sortedKeys` for byte-stable output.
public struct ConversationReport: Codable, Sendable, Equatable {
    /// The thresholds used, after any negative or non-finite value was replaced by its default.
    public var settings: MetricSettings
    public var callDuration: Metric<Double>
    /// Time in which at least one party speaks.
    public var speechTime: Metric<Double>
    /// Time in which both parties speak at once.
    public var overlapTime: Metric<Double>
    public var nonTalk: NonTalk
    public var interruptions: InterruptionTotals
    /// Changes of the floor from one party to the other, backchannels aside.
    public var speakerSwitches: Metric<Int>
    /// Speaker switches per minute of the call.
    public var interactivity: Metric<Double>
    public var agent: PartyReport
    public var customer: PartyReport
    public var turns: [TurnReport]

    /// Silence shared by both parties that lasts longer than the threshold.
    public struct NonTalk: Codable, Sendable, Equatable {
        public var total: Metric<Double>
        /// `total / call duration`.
        public var share: Metric<Double>
        public var instances: [TimeSpan]
    }

    /// Interruptions by either party.
    public struct InterruptionTotals: Codable, Sendable, Equatable {
        public var count: Metric<Int>
        public var overlapTime: Metric<Double>
    }

    /// The report for one party.
    public subscript(role: SpeakerRole) -> PartyReport {
        switch role {
        case .agent: agent
        case .customer: customer
        }
    }
}

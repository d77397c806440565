/// One party starting to speak while the other was mid-turn, and keeping going.
public struct Interruption: Codable, Sendable, Equatable {
    public var interrupter: SpeakerRole
    /// The turn that cut in.
    public var utteranceID: String
    /// The turn that was cut into.
    public var interruptedUtteranceID: String
    /// When the cut-in started.
    public var start: Double
    /// When the overlap ended: the earlier of the two turns' ends.
    public var end: Double
    /// Time both spoke at once, `end − start`, in seconds.
    public var duration: Double

    private enum CodingKeys: String, CodingKey {
        case interrupter, start, end, duration
        case utteranceID = "utteranceId"
        case interruptedUtteranceID = "interruptedUtteranceId"
    }
}

/// Who is heard on a channel of a call recording.
public enum SpeakerRole: String, Sendable, Codable, CaseIterable {
    case agent
    case customer
    /// Both parties on one channel: the recording is mono.
    case mixed
}

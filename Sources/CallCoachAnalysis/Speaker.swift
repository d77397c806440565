/// Which side of the call a speaker is on.
public enum SpeakerRole: String, Codable, Sendable, CaseIterable {
    case agent
    case customer
}

/// One voice in a transcript. Several speakers may share a role, e.g. an agent and a supervisor.
public struct Speaker: Codable, Sendable, Equatable {
    /// The identifier utterances refer to, unique within a transcript.
    public var id: String
    public var role: SpeakerRole

    public init(id: String, role: SpeakerRole) {
        self.id = id
        self.role = role
    }
}

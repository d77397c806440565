/// Which party is on the left and which on the right channel of a stereo call recording.
///
/// The upload form sends it as JSON, `{"left":"agent","right":"customer"}` or the reverse. A mono
/// recording ignores the map and yields one ``SpeakerRole/mixed`` channel.
public struct ChannelMap: Sendable, Hashable, Codable {
    /// The default for stereo recordings that arrive without a map.
    public static let agentLeft = ChannelMap(validLeft: .agent, right: .customer)
    public static let agentRight = ChannelMap(validLeft: .customer, right: .agent)

    public let left: SpeakerRole
    public let right: SpeakerRole

    /// Creates a map; one side must be the agent and the other the customer.
    public init(left: SpeakerRole, right: SpeakerRole) throws(AudioError) {
        guard Set([left, right]) == [.agent, .customer] else { throw AudioError(.invalidChannelMap) }
        self.init(validLeft: left, right: right)
    }

    /// Creates a map from the decoded JSON object, which must have exactly the keys `left` and `right`.
    public init(_ object: [String: String]) throws(AudioError) {
        guard object.count == 2, let left = object["left"].flatMap(SpeakerRole.init(rawValue:)),
            let right = object["right"].flatMap(SpeakerRole.init(rawValue:))
        else { throw AudioError(.invalidChannelMap) }
        try self.init(left: left, right: right)
    }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.singleValueContainer().decode([String: String].self)
        do {
            try self.init(object)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    private init(validLeft left: SpeakerRole, right: SpeakerRole) {
        self.left = left
        self.right = right
    }

    /// The role of each channel, in channel order: one ``SpeakerRole/mixed`` entry for mono.
    public func roles(channelCount: Int) -> [SpeakerRole] {
        channelCount == 1 ? [.mixed] : [left, right]
    }
}

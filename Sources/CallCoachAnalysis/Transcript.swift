/// A call transcript: who took part, and what each of them said when.
///
/// This `Codable` form is the stored one (it carries utterance ids and loudness). Imports go through
/// ``TranscriptParser``, which accepts the stricter format described in `docs/transcript-format.md`.
public struct Transcript: Codable, Sendable, Equatable {
    public var speakers: [Speaker]
    /// Utterances ordered by start time.
    public var utterances: [Utterance]

    public init(speakers: [Speaker] = [], utterances: [Utterance] = []) {
        self.speakers = speakers
        self.utterances = utterances
    }

    /// The role of whoever spoke `utterance`, or `nil` when that speaker is not declared.
    public func role(of utterance: Utterance) -> SpeakerRole? {
        speakers.first { $0.id == utterance.speaker }?.role
    }
}

/// One utterance prepared for analysis: its party, tokens and whether it is a backchannel.
struct Turn {
    let utteranceID: String
    let speaker: String
    let role: SpeakerRole
    let start: Double
    let end: Double
    let text: String
    let words: Tokenizer.Tokens
    let isBackchannel: Bool
    let loudness: Double?

    var duration: Double { end - start }
    var midpoint: Double { (start + end) / 2 }
    var interval: Interval { Interval(start: start, end: end) }

    /// The transcript's usable utterances as turns, ordered by start, then end, then position.
    ///
    /// The parser guarantees sane input; for transcripts built in code, utterances with negative or
    /// non-finite times, an end before the start, or an undeclared speaker are left out, and loudness
    /// outside 0–100 is clamped (non-finite loudness counts as not measured).
    static func prepare(_ transcript: Transcript, settings: MetricSettings) -> [Turn] {
        var roles: [String: SpeakerRole] = [:]
        for speaker in transcript.speakers where roles[speaker.id] == nil { roles[speaker.id] = speaker.role }
        let usable = transcript.utterances.enumerated().filter { _, utterance in
            utterance.start.isFinite && utterance.end.isFinite && utterance.start >= 0
                && utterance.end >= utterance.start && roles[utterance.speaker] != nil
        }
        let ordered = usable.sorted { lhs, rhs in
            (lhs.element.start, lhs.element.end, lhs.offset) < (rhs.element.start, rhs.element.end, rhs.offset)
        }
        return ordered.compactMap { _, utterance in
            guard let role = roles[utterance.speaker] else { return nil }
            let words = Tokenizer.tokens(in: utterance.text)
            let duration = utterance.end - utterance.start
            return Turn(
                utteranceID: utterance.id, speaker: utterance.speaker, role: role, start: utterance.start,
                end: utterance.end, text: utterance.text, words: words,
                isBackchannel: isBackchannel(words.tokens, duration: duration, settings: settings),
                loudness: utterance.loudness.flatMap { $0.isFinite ? min(max($0, 0), 100) : nil })
        }
    }

    /// Short turns (few words and brief) and turns made only of listener responses.
    static func isBackchannel(_ tokens: [String], duration: Double, settings: MetricSettings) -> Bool {
        if tokens.count <= settings.backchannelMaxWords && duration <= settings.backchannelMaxDuration { return true }
        return SpokenPhrases.backchannels.covers(tokens)
    }
}

extension SpeakerRole {
    /// The other side of the call.
    var other: SpeakerRole { self == .agent ? .customer : .agent }
}

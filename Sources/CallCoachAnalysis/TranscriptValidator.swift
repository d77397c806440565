/// One utterance as a reader found it, before validation gives it an id.
struct UtteranceDraft {
    /// The 1-based position of the utterance or cue in its file, used in error messages.
    var ordinal: Int
    var speaker: String
    var start: Double
    var end: Double
    var text: String
    var words: [Word]?
}

/// The checks every reader's output must pass, whatever its format.
enum TranscriptValidator {
    /// A transcript from validated speakers and drafts, with ids `u1`, `u2`, … in order.
    /// - Parameters:
    ///   - speakers: The declared speakers.
    ///   - drafts: The utterances in file order.
    ///   - noun: What the format calls one utterance in messages: `utterance` or `cue`.
    static func transcript(
        speakers: [Speaker], drafts: [UtteranceDraft], noun: String
    ) throws(TranscriptError) -> Transcript {
        try check(speakers)
        guard drafts.count <= TranscriptLimits.maximumUtterances else {
            throw TranscriptError(.tooManyUtterances, "more than \(TranscriptLimits.maximumUtterances) utterances")
        }
        let declared = Set(speakers.map(\.id))
        var previous: UtteranceDraft?
        var lastBySpeaker: [String: UtteranceDraft] = [:]
        for draft in drafts {
            let name = "\(noun) \(draft.ordinal)"
            guard declared.contains(draft.speaker) else {
                throw TranscriptError(.undeclaredSpeaker, "\(name) names a speaker that is not declared")
            }
            try checkSpan(start: draft.start, end: draft.end, name: name)
            try checkContent(draft, name: name)
            if let previous, draft.start < previous.start {
                throw TranscriptError(
                    .outOfOrder, "times run backwards: \(name) starts before \(noun) \(previous.ordinal)")
            }
            if let earlier = lastBySpeaker[draft.speaker], draft.start < earlier.end {
                throw TranscriptError(
                    .selfOverlap, "speaker overlaps itself: \(name) starts before \(noun) \(earlier.ordinal) ends")
            }
            previous = draft
            lastBySpeaker[draft.speaker] = draft
        }
        let utterances = drafts.enumerated().map { index, draft in
            Utterance(
                id: "u\(index + 1)", speaker: draft.speaker, start: draft.start, end: draft.end, text: draft.text,
                words: draft.words)
        }
        return Transcript(speakers: speakers, utterances: utterances)
    }

    private static func check(_ speakers: [Speaker]) throws(TranscriptError) {
        guard speakers.count <= TranscriptLimits.maximumSpeakers else {
            throw TranscriptError(.tooManySpeakers, "more than \(TranscriptLimits.maximumSpeakers) speakers")
        }
        var seen: [String: Int] = [:]
        for (index, speaker) in speakers.enumerated() {
            guard !speaker.id.isEmpty, speaker.id.count <= TranscriptLimits.maximumSpeakerIDLength else {
                throw TranscriptError(.invalidField, "speaker \(index + 1) has an empty or overlong id")
            }
            if let first = seen[speaker.id] {
                throw TranscriptError(.duplicateSpeaker, "speaker \(index + 1) repeats the id of speaker \(first)")
            }
            seen[speaker.id] = index + 1
        }
    }

    private static func checkSpan(start: Double, end: Double, name: String) throws(TranscriptError) {
        guard start.isFinite, end.isFinite, start >= 0, end >= 0 else {
            throw TranscriptError(.invalidTime, "\(name) has a negative or non-finite time")
        }
        guard start <= TranscriptLimits.maximumTime, end <= TranscriptLimits.maximumTime else {
            throw TranscriptError(.timeOutOfRange, "\(name) has a time beyond 12 hours")
        }
        guard end >= start else { throw TranscriptError(.endBeforeStart, "\(name) ends before it starts") }
    }

    private static func checkContent(_ draft: UtteranceDraft, name: String) throws(TranscriptError) {
        guard draft.text.count <= TranscriptLimits.maximumTextLength else {
            throw TranscriptError(
                .textTooLong, "\(name) has more than \(TranscriptLimits.maximumTextLength) characters of text")
        }
        guard let words = draft.words else { return }
        guard words.count <= TranscriptLimits.maximumWords else {
            throw TranscriptError(.tooManyWords, "\(name) has more than \(TranscriptLimits.maximumWords) words")
        }
        let tolerance = TranscriptLimits.wordTolerance
        for (index, word) in words.enumerated() {
            let wordName = "\(name), word \(index + 1)"
            try checkSpan(start: word.start, end: word.end, name: wordName)
            guard word.start >= draft.start - tolerance, word.end <= draft.end + tolerance else {
                throw TranscriptError(.wordOutsideUtterance, "\(wordName) lies outside its utterance")
            }
            if let confidence = word.confidence, !(confidence.isFinite && (0...1).contains(confidence)) {
                throw TranscriptError(.invalidField, "\(wordName) has a confidence outside 0...1")
            }
        }
    }
}

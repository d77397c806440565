/// The fixed word lists behind backchannels, fillers and questions. `docs/metrics.md` repeats them.
enum SpokenPhrases {
    /// Listener responses that do not take the floor; hyphenated forms appear as two words.
    static let backchannels = PhraseList([
        "yeah", "yes", "yep", "yup", "yah", "uh huh", "mm hmm", "mhm", "mm", "hm", "hmm", "right", "ok", "okay",
        "sure", "alright", "all right", "got it", "i see", "oh", "ah", "exactly", "absolutely", "definitely",
        "totally", "true", "cool", "of course", "sounds good", "that's right", "i know", "uh", "um", "wow",
        "perfect", "great", "good", "fine", "gotcha", "understood", "i understand", "indeed", "no problem",
    ])

    /// Filler words and phrases, counted per party.
    static let fillerTerms = ["um", "uh", "erm", "er", "ah", "hmm", "you know", "i mean", "sort of", "kind of"]

    static let fillers = PhraseList(fillerTerms)

    /// Backchannel sounds that contain a filler word but are not fillers (`uh-huh`, `mm-hmm`).
    static let fillerLookalikes = PhraseList(["uh huh", "mm hmm", "uh oh"])

    /// Openings that make an unpunctuated sentence a question.
    static let interrogatives = PhraseList([
        "what", "why", "how", "when", "where", "who", "whom", "whose", "which", "can you", "could you", "do you",
        "did you", "are you", "is it", "would you", "will you", "is there", "are there", "have you", "can i",
        "could i", "may i", "should i", "do we", "does it", "does that",
    ])
}

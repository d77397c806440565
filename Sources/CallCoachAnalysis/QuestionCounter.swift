/// Counts the questions in a turn's text.
///
/// The text is cut into sentences after `?`, `.`, `!` and `…`. A sentence ending in `?` is a question.
/// The last sentence, when it has no closing punctuation (all of an unpunctuated transcript line), is a
/// question when it opens with an interrogative from ``SpokenPhrases/interrogatives``. Sentences without
/// words are ignored.
enum QuestionCounter {
    private static let terminators: Set<Unicode.Scalar> = ["?", ".", "!", "\u{2026}", "\u{FF1F}"]

    static func count(in text: String) -> Int {
        let scalars = text.unicodeScalars
        var count = 0
        var sentenceHasWord = false
        var sentenceStart = scalars.startIndex
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            scalars.formIndex(after: &index)
            if terminators.contains(scalar) {
                if sentenceHasWord && (scalar == "?" || scalar == "\u{FF1F}") { count += 1 }
                sentenceHasWord = false
                sentenceStart = index
            } else if Tokenizer.isWordScalar(scalar) {
                sentenceHasWord = true
            }
        }
        guard sentenceHasWord else { return count }
        let tail = Tokenizer.tokens(in: String(scalars[sentenceStart...])).tokens
        return SpokenPhrases.interrogatives.longestMatch(in: tail, at: 0) == nil ? count : count + 1
    }
}

/// Counts filler words and phrases in a turn's tokens.
///
/// Terms are ``SpokenPhrases/fillerTerms``, matched longest first without overlapping. `uh-huh`, `mm-hmm`
/// and `uh-oh` are backchannel sounds, not fillers, and are skipped whole.
enum FillerCounter {
    /// Counts per term, parallel to ``SpokenPhrases/fillerTerms``.
    static func counts(in tokens: [String]) -> [Int] {
        var counts = [Int](repeating: 0, count: SpokenPhrases.fillerTerms.count)
        var index = 0
        while index < tokens.count {
            if let skip = SpokenPhrases.fillerLookalikes.longestMatch(in: tokens, at: index) {
                index += skip
            } else if let length = SpokenPhrases.fillers.longestMatch(in: tokens, at: index) {
                let term = tokens[index..<(index + length)].joined(separator: " ")
                if let slot = SpokenPhrases.fillerTerms.firstIndex(of: term) { counts[slot] += 1 }
                index += length
            } else {
                index += 1
            }
        }
        return counts
    }
}

/// Lexicon sentiment: weighted counts of positive and negative words, and the −5…+5 score from them.
///
/// Each token in ``SentimentLexicon/positive`` or ``SentimentLexicon/negative`` is a hit of weight 1, or
/// ``SentimentLexicon/intensifierWeight`` when the token before it is an intensifier. A hit is flipped to
/// the other polarity when a negator occurs within ``SentimentLexicon/negationReach`` tokens before it in
/// the same clause.
enum SentimentScorer {
    /// Smoothing added to the denominator so that one word cannot reach ±5.
    static let smoothing = 2.0

    /// Weighted hits.
    struct Tally {
        var positive = 0.0
        var negative = 0.0

        static func + (lhs: Tally, rhs: Tally) -> Tally {
            Tally(positive: lhs.positive + rhs.positive, negative: lhs.negative + rhs.negative)
        }

        /// `5 × (positive − negative) / (positive + negative + 2)`, rounded to one decimal.
        var score: Double {
            Rounded.score(5 * (positive - negative) / (positive + negative + SentimentScorer.smoothing))
        }

        /// Neutral without hits; mixed when the smaller side is at least half the larger; else the larger side.
        var label: SentimentLabel {
            if positive == 0 && negative == 0 { return .neutral }
            if min(positive, negative) >= 0.5 * max(positive, negative) { return .mixed }
            return positive > negative ? .positive : .negative
        }
    }

    static func tally(_ words: Tokenizer.Tokens) -> Tally {
        var tally = Tally()
        let tokens = words.tokens
        for (index, token) in tokens.enumerated() {
            var isPositive: Bool
            if SentimentLexicon.positive.contains(token) {
                isPositive = true
            } else if SentimentLexicon.negative.contains(token) {
                isPositive = false
            } else {
                continue
            }
            if isNegated(at: index, in: words) { isPositive.toggle() }
            let isIntensified = index > 0 && SentimentLexicon.intensifiers.contains(tokens[index - 1])
            let weight = isIntensified ? SentimentLexicon.intensifierWeight : 1
            if isPositive { tally.positive += weight } else { tally.negative += weight }
        }
        return tally
    }

    private static func isNegated(at index: Int, in words: Tokenizer.Tokens) -> Bool {
        let first = max(0, index - SentimentLexicon.negationReach)
        return (first..<index).contains { earlier in
            words.clauses[earlier] == words.clauses[index] && SentimentLexicon.negators.contains(words.tokens[earlier])
        }
    }
}

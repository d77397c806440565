/// Splits text into lower-cased word tokens for counting and lexicon look-ups.
///
/// A token is a run of letters, digits and combining marks; an apostrophe (straight or curly) stays
/// when it sits between two such characters, so `don't` is one token and `uh-huh` is two. Clause
/// numbers grow at `, . ; : ! ?` so that negation does not reach across punctuation.
enum Tokenizer {
    /// Tokens with the clause each belongs to.
    struct Tokens {
        var tokens: [String] = []
        /// The clause number of each token, parallel to `tokens`.
        var clauses: [Int] = []
    }

    static func tokens(in text: String) -> Tokens {
        var result = Tokens()
        var current = String.UnicodeScalarView()
        var apostrophePending = false
        var clause = 0

        func flush() {
            if !current.isEmpty {
                result.tokens.append(String(current))
                result.clauses.append(clause)
            }
            current = String.UnicodeScalarView()
            apostrophePending = false
        }

        for scalar in text.lowercased().unicodeScalars {
            if isWordScalar(scalar) {
                if apostrophePending { current.append("'") }
                apostrophePending = false
                current.append(scalar)
            } else if (scalar == "'" || scalar == "\u{2019}") && !current.isEmpty && !apostrophePending {
                apostrophePending = true
            } else {
                flush()
                if clauseBreaks.contains(scalar) { clause += 1 }
            }
        }
        flush()
        return result
    }

    private static let clauseBreaks: Set<Unicode.Scalar> = [",", ".", ";", ":", "!", "?", "\u{2026}", "\u{FF1F}"]

    /// Letters, digits and combining marks.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return properties.isAlphabetic || properties.numericType != nil
        }
    }
}

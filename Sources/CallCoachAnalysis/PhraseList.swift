/// A fixed list of one- and two-word phrases, matched against token sequences.
struct PhraseList: Sendable {
    private let phrasesByFirstToken: [String: [[String]]]

    /// The phrases, each written as lower-case words separated by single spaces.
    init(_ phrases: [String]) {
        var byFirst: [String: [[String]]] = [:]
        for phrase in phrases {
            let words = phrase.split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            byFirst[first, default: []].append(words)
        }
        phrasesByFirstToken = byFirst.mapValues { $0.sorted { $0.count > $1.count } }
    }

    /// The lengths of the phrases that match `tokens` starting at `index`, longest first.
    func matchLengths(in tokens: [String], at index: Int) -> [Int] {
        guard index < tokens.count, let candidates = phrasesByFirstToken[tokens[index]] else { return [] }
        return candidates.compactMap { phrase in
            guard index + phrase.count <= tokens.count else { return nil }
            for offset in 1..<phrase.count where tokens[index + offset] != phrase[offset] { return nil }
            return phrase.count
        }
    }

    /// The length of the longest phrase matching at `index`, if any.
    func longestMatch(in tokens: [String], at index: Int) -> Int? {
        matchLengths(in: tokens, at: index).first
    }

    /// Whether `tokens` is non-empty and made entirely of listed phrases.
    func covers(_ tokens: [String]) -> Bool {
        guard !tokens.isEmpty else { return false }
        var reachable = [Bool](repeating: false, count: tokens.count + 1)
        reachable[0] = true
        for index in 0..<tokens.count where reachable[index] {
            for length in matchLengths(in: tokens, at: index) { reachable[index + length] = true }
        }
        return reachable[tokens.count]
    }
}

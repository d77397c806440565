import CallCoachScoring
import Testing

@Suite struct AgreementTests {
    func pairs(_ counts: [(String, String, Int)]) -> [(String, String)] {
        counts.flatMap { first, second, count in Array(repeating: (first, second), count: count) }
    }

    @Test func kappaMatchesHandComputedValues() {
        // 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7; p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.4.
        #expect(
            Agreement.kappa(pairs([("yes", "yes", 20), ("yes", "no", 5), ("no", "yes", 10), ("no", "no", 15)])) == 0.4)
        // Perfect agreement on two labels: κ = 1.
        #expect(Agreement.kappa(pairs([("yes", "yes", 3), ("no", "no", 2)])) == 1)
        // Agreement no better than chance: p_o = p_e = 0.5.
        #expect(Agreement.kappa(pairs([("yes", "yes", 1), ("yes", "no", 1), ("no", "yes", 1), ("no", "no", 1)])) == 0)
        // Three labels: automatic yes 4, no 3, n/a 2; human yes 4, no 4, n/a 1; p_o = 6/9;
        // p_e = (4·4 + 3·4 + 2·1)/81 = 30/81; κ = (54 − 30)/(81 − 30) = 24/51.
        let three = pairs([
            ("yes", "yes", 3), ("yes", "no", 1), ("no", "no", 2), ("no", "yes", 1), ("n/a", "n/a", 1),
            ("n/a", "no", 1),
        ])
        #expect(Agreement.kappa(three) == (24.0 / 51.0 * 10_000).rounded() / 10_000)
        #expect(Agreement.kappa([("yes", "yes"), ("yes", "yes")]) == nil, "one label on both sides: undefined")
        #expect(Agreement.kappa([]) == nil)
    }
}

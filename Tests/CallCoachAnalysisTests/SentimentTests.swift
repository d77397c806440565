import CallCoachAnalysis
import Testing

@Suite struct SentimentTests {
    private func turn(_ text: String) -> TurnReport? {
        Fixtures.analyze([Fixtures.agent(0, 5, text)]).turns.first
    }

    @Test(arguments: [
        // thank + great: P = 2 → 5 × 2 / (2 + 0 + 2) = 2.5.
        ("Thank you, this is great.", SentimentLabel.positive, 2.5),
        // "not" flips good: N = 1 → 5 × −1 / 3 = −1.67 → −1.7.
        ("This is not good.", .negative, -1.7),
        // very angry = 1.5, frustrated = 1: N = 2.5 → 5 × −2.5 / 4.5 = −2.78 → −2.8.
        ("I am very angry and frustrated", .negative, -2.8),
        // great vs delay + ridiculous: P = 1, N = 2, 1 ≥ 2 / 2 → mixed; 5 × −1 / 5 = −1.
        ("Great service but the delay was ridiculous", .mixed, -1.0),
        // The comma ends the clause, so "no" does not reach "great": P = 1 → 1.7.
        ("No, that's great", .positive, 1.7),
        // "no problem": the negative word flipped → P = 1 → 1.7.
        ("no problem at all", .positive, 1.7),
        // never … happy (2 tokens apart) flips: N = 1 → −1.7.
        ("I never was happy with it", .negative, -1.7),
        // don't is 6 tokens before good, beyond the reach of 3: P = 1 → 1.7.
        ("I don't really think this was ever good", .positive, 1.7),
        ("The weather report", .neutral, 0.0),
        // great ×2 vs problem: P = 2, N = 1, 1 ≥ 1 → mixed; 5 × 1 / 5 = 1.
        ("Great, great, but one problem", .mixed, 1.0),
        // thanks, helpful, great vs issue: P = 3, N = 1, 1 < 1.5 → positive; 5 × 2 / 6 = 1.67 → 1.7.
        ("Thanks, helpful and great despite the issue", .positive, 1.7),
    ])
    func turnSentiment(text: String, label: SentimentLabel, score: Double) {
        #expect(turn(text)?.sentiment == label)
        #expect(turn(text)?.sentimentScore == score)
    }

    @Test func quartersFollowTheTurnMidpoint() {
        // Call 40 s, quarters of 10 s.
        let report = Fixtures.analyze(
            [
                Fixtures.agent(1, 3, "Thank you, great."),  // mid 2 → Q1; P = 2
                Fixtures.customer(12, 14, "This is terrible and ridiculous."),  // mid 13 → Q2; N = 2
                Fixtures.agent(22, 24, "I see, that is bad"),  // mid 23 → Q3; N = 1
                Fixtures.customer(35, 38, "Okay thanks, that was helpful."),  // mid 36.5 → Q4; P = 2
            ], callDuration: 40)
        #expect(report.turns.map(\.quarter) == [1, 2, 3, 4])
        // Agent Q1: 5 × 2 / 4 = 2.5; Q3: 5 × −1 / 3 = −1.7; overall P 2, N 1: 5 × 1 / 5 = 1.
        #expect(report.agent.sentiment.quarters.value.map(\.score) == [2.5, 0, -1.7, 0])
        #expect(report.agent.sentiment.quarters.value.map(\.turnCount) == [1, 0, 1, 0])
        #expect(report.agent.sentiment.overall.value == 1)
        // Customer Q2: 5 × −2 / 4 = −2.5; Q4: 2.5; overall P 2, N 2 → 0.
        #expect(report.customer.sentiment.quarters.value.map(\.score) == [0, -2.5, 0, 2.5])
        #expect(report.customer.sentiment.overall.value == 0)
        #expect(report.customer.sentiment.positiveTurns == 1)
        #expect(report.customer.sentiment.negativeTurns == 1)
        #expect(report.agent.sentiment.quarters.value.map(\.start) == [0, 10, 20, 30])
        #expect(report.agent.sentiment.quarters.value.map(\.end) == [10, 20, 30, 40])
    }

    @Test func aMidpointOnABoundaryBelongsToTheLaterQuarter() {
        // Midpoint 10 of a 40 s call: 10 / 10 = 1 → quarter 2.
        let report = Fixtures.analyze([Fixtures.agent(9, 11, "fine")], callDuration: 40)
        #expect(report.turns.first?.quarter == 2)
    }

    @Test func scoresStayWithinFive() {
        let text = Array(repeating: "extremely great", count: 200).joined(separator: " ")
        let score = turn(text)?.sentimentScore ?? 0
        // P = 300 → 5 × 300 / 302 = 4.97 → 5.0 at one decimal.
        #expect(score == 5)
    }
}

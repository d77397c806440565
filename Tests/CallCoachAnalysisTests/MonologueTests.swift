import CallCoachAnalysis
import Testing

@Suite struct MonologueTests {
    @Test func shortPausesAndBackchannelsDoNotEndAMonologue() {
        // Agent 0–10 and 10.5–20 (gap 0.5 < 1 s) join; the customer's "mm-hmm" at 12 is a backchannel;
        // agent 21.5–25 follows a 1.5 s gap and starts a new run. Longest: 20 − 0 = 20 s over 2 turns.
        let report = Fixtures.analyze([
            Fixtures.agent(0, 10, Fixtures.words(25)),
            Fixtures.agent(10.5, 20, Fixtures.words(25)),
            Fixtures.customer(12, 12.4, "mm-hmm"),
            Fixtures.agent(21.5, 25, Fixtures.words(8)),
        ])
        let monologue = report.agent.longestMonologue
        #expect(monologue.duration.value == 20)
        #expect(monologue.span?.start == 0)
        #expect(monologue.span?.end == 20)
        #expect(monologue.turnCount == 2)
        // The customer's only turn is 0.4 s long.
        #expect(report.customer.longestMonologue.duration.value == 0.4)
    }

    @Test func theOtherPartyTakingTheFloorEndsAMonologue() {
        // Customer says something real at 8–11, inside the join window: agent runs are 0–10 (10 s) and
        // 10.5–20 (9.5 s), so the longest is 10 s.
        let report = Fixtures.analyze([
            Fixtures.agent(0, 10, Fixtures.words(25)),
            Fixtures.customer(8, 11, "wait I have a real question here"),
            Fixtures.agent(10.5, 20, Fixtures.words(25)),
        ])
        #expect(report.agent.longestMonologue.duration.value == 10)
        #expect(report.agent.longestMonologue.span?.end == 10)
        #expect(report.customer.longestMonologue.duration.value == 3)
    }

    @Test func aGapOfExactlyTheLimitSplits() {
        // 5 → 6 is a gap of exactly 1 s, not < 1 s: runs of 5 s and 4 s.
        let report = Fixtures.analyze([
            Fixtures.agent(0, 5, Fixtures.words(10)),
            Fixtures.agent(6, 10, Fixtures.words(10)),
        ])
        #expect(report.agent.longestMonologue.duration.value == 5)
        #expect(report.agent.longestMonologue.turnCount == 1)
    }

    @Test func aSilentPartyHasNoMonologue() {
        let report = Fixtures.analyze([Fixtures.agent(0, 5, Fixtures.words(10))])
        #expect(report.customer.longestMonologue.duration.value == 0)
        #expect(report.customer.longestMonologue.span == nil)
        #expect(report.customer.longestMonologue.turnCount == 0)
    }
}

import CallCoachAnalysis
import Testing

@Suite struct InterruptionTests {
    /// The agent explains from 0 to 10 s; the customer's line is varied per test.
    private func report(customer line: Fixtures.Line) -> ConversationReport {
        Fixtures.analyze([Fixtures.agent(0, 10, Fixtures.words(25)), line])
    }

    @Test func aYeahOverTheAgentIsNotAnInterruption() {
        // "yeah" (1 word, 0.5 s) is a backchannel.
        let report = report(customer: Fixtures.customer(4, 4.5, "yeah"))
        #expect(report.customer.interruptions.count.value == 0)
        #expect(report.interruptions.count.value == 0)
        #expect(report.turns[1].backchannel)
    }

    @Test func aLongRunOfBackchannelTokensIsNotAnInterruption() {
        // Five words over 2 s, but all of them listener responses.
        let report = report(customer: Fixtures.customer(4, 6, "Yeah, okay, sure, uh-huh, right."))
        #expect(report.customer.interruptions.count.value == 0)
    }

    @Test func aRealThreeSecondCutInIsAnInterruption() {
        // Customer 6–9 inside agent 0–10: 8 words, lasts 3 s ≥ 1 s. Overlap = min(10, 9) − 6 = 3 s.
        let report = report(customer: Fixtures.customer(6, 9, "Wait, that is not what I asked for"))
        let instances = report.customer.interruptions.instances
        #expect(report.customer.interruptions.count.value == 1)
        #expect(instances.first?.interrupter == .customer)
        #expect(instances.first?.utteranceID == "u2")
        #expect(instances.first?.interruptedUtteranceID == "u1")
        #expect(instances.first?.start == 6)
        #expect(instances.first?.end == 9)
        #expect(instances.first?.duration == 3)
        #expect(report.customer.interruptions.overlapTime.value == 3)
        #expect(report.interruptions.overlapTime.value == 3)
        #expect(report.agent.interruptions.count.value == 0)
    }

    @Test func takingTheFloorCountsEvenWhenTheOverlapIsShort() {
        // Customer 9.5–14 runs past the agent's end (10): overlap = min(10, 14) − 9.5 = 0.5 s.
        let report = report(customer: Fixtures.customer(9.5, 14, "No no, I want to cancel this today"))
        #expect(report.customer.interruptions.count.value == 1)
        #expect(report.customer.interruptions.instances.first?.duration == 0.5)
    }

    @Test func aBriefCutInThatStopsInsideTheTurnDoesNotCount() {
        // 5 words (not a backchannel) but only 0.8 s < 1 s and ending before the agent does.
        let report = report(customer: Fixtures.customer(3, 3.8, "hold on a second please"))
        #expect(!report.turns[1].backchannel)
        #expect(report.customer.interruptions.count.value == 0)
    }

    @Test func startingTogetherIsNotAnInterruption() {
        // B.start must be strictly after A.start.
        let report = report(customer: Fixtures.customer(0, 5, Fixtures.words(10)))
        #expect(report.interruptions.count.value == 0)
    }

    @Test func startingAtTheOtherTurnsEndIsNotAnInterruption() {
        let report = report(customer: Fixtures.customer(10, 15, Fixtures.words(10)))
        #expect(report.interruptions.count.value == 0)
    }

    @Test func theMinimumDurationIsConfigurable() {
        // The 0.8 s cut-in counts once the minimum drops to 0.5 s.
        let report = Fixtures.analyze(
            [Fixtures.agent(0, 10, Fixtures.words(25)), Fixtures.customer(3, 3.8, "hold on a second please")],
            settings: MetricSettings(interruptionMinDuration: 0.5))
        #expect(report.customer.interruptions.count.value == 1)
        #expect(report.customer.interruptions.overlapTime.value == 0.8)
    }

    @Test func bothPartiesAreCountedSeparately() {
        // Agent 0–10; customer cuts in 6–12 (runs past 10: overlap 4 s); agent cuts back 11–14 (overlap 1 s).
        let report = Fixtures.analyze([
            Fixtures.agent(0, 10, Fixtures.words(25)),
            Fixtures.customer(6, 12, Fixtures.words(15)),
            Fixtures.agent(11, 14, Fixtures.words(8)),
        ])
        #expect(report.customer.interruptions.instances.map(\.duration) == [4])
        #expect(report.agent.interruptions.instances.map(\.duration) == [1])
        #expect(report.interruptions.count.value == 2)
        #expect(report.interruptions.overlapTime.value == 5)
    }
}

import CallCoachAnalysis
import Testing

@Suite struct ReplyGapTests {
    /// A 26 s exchange with one overlapping reply and one backchannel.
    let report = Fixtures.analyze([
        Fixtures.agent(0, 5, "How can I help you today?"),
        Fixtures.customer(6, 10, "I need to change my address"),  // reply: 6 − 5 = 1 s
        Fixtures.agent(12, 15, "Sure, what is the new address?"),  // reply: 12 − 10 = 2 s
        Fixtures.customer(14.5, 20, "It is 12 Main Street"),  // reply: 14.5 − 15 < 0 → 0 s, overlapping
        Fixtures.agent(20.5, 20.8, "okay"),  // backchannel: ignored
        Fixtures.agent(24, 26, "Thank you, that is updated now."),  // reply: 24 − 20 = 4 s
    ])

    @Test func gapsArePerRespondingParty() {
        // Customer gaps [1, 0]: median (0 + 1) / 2 = 0.5, longest 1, one overlapping.
        #expect(report.customer.replyGap.replies.value == 2)
        #expect(report.customer.replyGap.median.value == 0.5)
        #expect(report.customer.replyGap.longest.value == 1)
        #expect(report.customer.replyGap.overlapping.value == 1)
        // Agent gaps [2, 4]: median 3, longest 4.
        #expect(report.agent.replyGap.replies.value == 2)
        #expect(report.agent.replyGap.median.value == 3)
        #expect(report.agent.replyGap.longest.value == 4)
        #expect(report.agent.replyGap.overlapping.value == 0)
    }

    @Test func interactivityIsSwitchesPerMinute() {
        // 4 switches (the backchannel is not one) over 26 s: 4 / (26 / 60) = 9.2307… → 9.23.
        #expect(report.speakerSwitches.value == 4)
        #expect(report.interactivity.value == 9.23)
        #expect(report.interactivity.unit == "switches/min")
    }

    @Test func aPartyIsNotChargedForItsOwnSpeechAfterBeingCutInto() {
        // Agent 0–10, customer cuts in 5–7, agent resumes at 10.5: the agent's gap is
        // 10.5 − max(10, 7) = 0.5 s, not 10.5 − 7.
        let report = Fixtures.analyze([
            Fixtures.agent(0, 10, Fixtures.words(25)),
            Fixtures.customer(5, 7, Fixtures.words(6)),
            Fixtures.agent(10.5, 15, Fixtures.words(10)),
        ])
        #expect(report.agent.replyGap.longest.value == 0.5)
        #expect(report.customer.replyGap.median.value == 0)
        #expect(report.customer.replyGap.overlapping.value == 1)
    }

    @Test func noRepliesGiveNullNotZero() {
        let report = Fixtures.analyze([Fixtures.agent(0, 5, Fixtures.words(10))])
        #expect(report.agent.replyGap.replies.value == 0)
        #expect(report.agent.replyGap.median.value == nil)
        #expect(report.agent.replyGap.longest.value == nil)
    }
}

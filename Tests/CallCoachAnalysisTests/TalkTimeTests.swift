import CallCoachAnalysis
import Testing

@Suite struct TalkTimeTests {
    /// Agent 2–10, 16–20 and 19–22 (own overlap); customer 9–15 and 26–27; call 30 s.
    let report = Fixtures.analyze(
        [
            Fixtures.agent(2, 10, Fixtures.words(20)),
            Fixtures.customer(9, 15, Fixtures.words(12)),
            Fixtures.agent(16, 20, Fixtures.words(8)),
            Fixtures.agent(19, 22, Fixtures.words(6)),
            Fixtures.customer(26, 27, Fixtures.words(2)),
        ], callDuration: 30)

    @Test func talkTimeIsTheUnionOfEachPartysIntervals() {
        // Agent: [2,10] ∪ [16,20] ∪ [19,22] = 8 + 6 = 14 s. Customer: 6 + 1 = 7 s.
        #expect(report.agent.talkTime.value == 14)
        #expect(report.customer.talkTime.value == 7)
        #expect(report.agent.talkTime.unit == "s")
        // Speech: [2,15] ∪ [16,22] ∪ [26,27] = 13 + 6 + 1 = 20 s; both at once: [9,10] = 1 s.
        #expect(report.speechTime.value == 20)
        #expect(report.overlapTime.value == 1)
        #expect(report.agent.turnCount.value == 3)
    }

    @Test func talkRatiosUseBothDenominators() {
        // Over speech: 14 / (14 + 7) = 0.6667; 7 / 21 = 0.3333.
        #expect(report.agent.talkRatioOfSpeech.value == 0.6667)
        #expect(report.customer.talkRatioOfSpeech.value == 0.3333)
        // Over the call: 14 / 30 = 0.4667; 7 / 30 = 0.2333.
        #expect(report.agent.talkRatioOfCall.value == 0.4667)
        #expect(report.customer.talkRatioOfCall.value == 0.2333)
        #expect(report.agent.talkRatioOfCall.formula.contains("call duration"))
    }

    @Test func wordsPerMinuteDividesTokensByTalkMinutes() {
        // Agent: (20 + 8 + 6) words / (14 / 60) min = 145.714… → 145.71. Customer: 14 / (7 / 60) = 120.
        #expect(report.agent.wordCount.value == 34)
        #expect(report.agent.wordsPerMinute.value == 145.71)
        #expect(report.customer.wordsPerMinute.value == 120)
    }

    @Test func nonTalkCountsOnlySilencesLongerThanTheThreshold() {
        // Gaps: [0,2] 2 s, [15,16] 1 s, [22,26] 4 s, [27,30] exactly 3 s (not counted: must exceed 3 s).
        #expect(report.nonTalk.instances.map(\.start) == [22])
        #expect(report.nonTalk.instances.first?.duration == 4)
        #expect(report.nonTalk.total.value == 4)
        // 4 / 30 = 0.1333.
        #expect(report.nonTalk.share.value == 0.1333)
    }

    @Test func nonTalkJustAboveTheThresholdCounts() {
        // Gaps: [5,8] exactly 3 s (no), [10,13.001] 3.001 s (yes).
        let report = Fixtures.analyze([
            Fixtures.agent(0, 5, Fixtures.words(10)),
            Fixtures.customer(8, 10, Fixtures.words(5)),
            Fixtures.agent(13.001, 15, Fixtures.words(5)),
        ])
        #expect(report.nonTalk.instances.count == 1)
        #expect(report.nonTalk.instances.first?.start == 10)
        #expect(report.nonTalk.instances.first?.end == 13.001)
        #expect(report.nonTalk.total.value == 3.001)
    }

    @Test func leadingAndTrailingSilenceCount() {
        // Speech 5–10 in a 20 s call: [0,5] = 5 s leading, [10,20] = 10 s trailing.
        let report = Fixtures.analyze([Fixtures.agent(5, 10, Fixtures.words(10))], callDuration: 20)
        #expect(report.nonTalk.instances.map(\.start) == [0, 10])
        #expect(report.nonTalk.instances.map(\.end) == [5, 20])
        #expect(report.nonTalk.total.value == 15)
        #expect(report.nonTalk.share.value == 0.75)
    }

    @Test func theThresholdIsConfigurable() {
        // With a 1.5 s threshold the 2 s leading gap and the 3 s trailing gap count too: 2 + 4 + 3 = 9 s.
        let report = Fixtures.analyze(
            [
                Fixtures.agent(2, 10, Fixtures.words(20)),
                Fixtures.customer(9, 15, Fixtures.words(12)),
                Fixtures.agent(16, 22, Fixtures.words(8)),
                Fixtures.customer(26, 27, Fixtures.words(2)),
            ], callDuration: 30, settings: MetricSettings(nonTalkThreshold: 1.5))
        #expect(report.nonTalk.total.value == 9)
        #expect(report.settings.nonTalkThreshold == 1.5)
    }

    @Test func callDurationFallsBackToTheLastEndAndNeverUndercutsIt() {
        let lines = [Fixtures.agent(0, 12, Fixtures.words(10))]
        #expect(Fixtures.analyze(lines).callDuration.value == 12)
        #expect(Fixtures.analyze(lines, callDuration: 5).callDuration.value == 12)
        #expect(Fixtures.analyze(lines, callDuration: .nan).callDuration.value == 12)
        #expect(Fixtures.analyze(lines, callDuration: 60).callDuration.value == 60)
    }
}

import CallCoachAnalysis
import Foundation
import Testing

@Suite struct EdgeCaseTests {
    @Test func anEmptyTranscriptGivesAZeroReport() throws {
        let report = ConversationAnalyzer.analyze(Transcript(), callDuration: nil)
        #expect(report.callDuration.value == 0)
        #expect(report.speechTime.value == 0)
        #expect(report.nonTalk.instances.isEmpty)
        #expect(report.interactivity.value == 0)
        #expect(report.turns.isEmpty)
        for party in [report.agent, report.customer] {
            #expect(party.talkTime.value == 0)
            #expect(party.talkRatioOfSpeech.value == 0)
            #expect(party.talkRatioOfCall.value == 0)
            #expect(party.wordsPerMinute.value == 0)
            #expect(party.sentiment.overall.value == 0)
            #expect(party.replyGap.median.value == nil)
        }
        try expectFiniteJSON(report)
    }

    @Test func anEmptyTranscriptWithADurationIsAllSilence() throws {
        // 0–60 s with no speech: one 60 s non-talk span, share 60 / 60 = 1.
        let report = ConversationAnalyzer.analyze(Transcript(), callDuration: 60)
        #expect(report.nonTalk.total.value == 60)
        #expect(report.nonTalk.share.value == 1)
        try expectFiniteJSON(report)
    }

    @Test func aOnePartyTranscriptHasRatiosOfOneAndZero() throws {
        // Agent 0–10 in a 20 s call: over speech 10 / 10 = 1 and 0 / 10 = 0; over the call 10 / 20 = 0.5.
        let report = Fixtures.analyze([Fixtures.agent(0, 10, "hello is anyone there")], callDuration: 20)
        #expect(report.agent.talkRatioOfSpeech.value == 1)
        #expect(report.customer.talkRatioOfSpeech.value == 0)
        #expect(report.agent.talkRatioOfCall.value == 0.5)
        #expect(report.customer.wordsPerMinute.value == 0)
        #expect(report.customer.fillers.perMinute.value == 0)
        #expect(report.speakerSwitches.value == 0)
        #expect(report.nonTalk.total.value == 10)
        try expectFiniteJSON(report)
    }

    @Test func aZeroSecondCallDividesByNothing() throws {
        // A zero-length utterance at 0 with a 0 s call: every ratio and rate falls back to 0.
        let report = Fixtures.analyze(
            [Fixtures.agent(0, 0, "hi there"), Fixtures.customer(0, 0, "hello")], callDuration: 0)
        #expect(report.callDuration.value == 0)
        #expect(report.agent.talkTime.value == 0)
        #expect(report.agent.wordsPerMinute.value == 0)
        #expect(report.agent.talkRatioOfCall.value == 0)
        #expect(report.interactivity.value == 0)
        #expect(report.nonTalk.share.value == 0)
        #expect(report.turns.map(\.quarter) == [1, 1])
        try expectFiniteJSON(ConversationAnalyzer.analyze(Transcript(), callDuration: 0))
        try expectFiniteJSON(report)
    }

    @Test func unusableUtterancesInHandBuiltTranscriptsAreSkipped() throws {
        var transcript = Fixtures.transcript([
            Fixtures.agent(0, 5, Fixtures.words(10)),
            Fixtures.agent(.nan, 6, "bad"),
            Fixtures.customer(7, 6, "backwards"),
            Fixtures.customer(-1, 2, "negative"),
        ])
        transcript.utterances.append(Utterance(id: "x", speaker: "ghost", start: 1, end: 2, text: "who"))
        let report = ConversationAnalyzer.analyze(transcript, callDuration: .infinity)
        #expect(report.turns.map(\.utteranceID) == ["u1"])
        #expect(report.callDuration.value == 5)
        try expectFiniteJSON(report)
    }

    @Test func invalidSettingsFallBackToDefaults() {
        let settings = MetricSettings(nonTalkThreshold: -1, interruptionMinDuration: .nan, backchannelMaxWords: -2)
        let report = Fixtures.analyze([], settings: settings)
        #expect(report.settings == MetricSettings())
    }

    @Test func theReportIsDeterministicAndUsesStableFieldNames() throws {
        let lines = [
            Fixtures.agent(0, 5, "Thanks for calling, how can I help?"),
            Fixtures.customer(4, 9, "My internet keeps dropping, it is ridiculous"),
        ]
        let first = try Fixtures.json(Fixtures.analyze(lines, callDuration: 12))
        let second = try Fixtures.json(Fixtures.analyze(lines, callDuration: 12))
        #expect(first == second)
        for field in [
            "\"talkRatioOfSpeech\"", "\"talkRatioOfCall\"", "\"nonTalk\"", "\"wordsPerMinute\"", "\"longestMonologue\"",
            "\"replyGap\"", "\"utteranceId\"", "\"interactivity\"", "\"formula\"", "\"unit\"", "\"loudness\":null",
        ] {
            #expect(first.contains(field))
        }
        let decoded = try JSONDecoder().decode(ConversationReport.self, from: Data(first.utf8))
        #expect(decoded == Fixtures.analyze(lines, callDuration: 12))
    }

    /// Encoding must succeed (JSONEncoder refuses NaN and infinities), no number may be non-finite, and
    /// the text must not spell out `nan` or `inf`.
    private func expectFiniteJSON(_ report: ConversationReport) throws {
        let json = try Fixtures.json(report)
        let lower = json.lowercased()
        #expect(!lower.contains("nan"))
        #expect(!lower.contains("inf"))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        #expect(allNumbersFinite(object))
    }

    private func allNumbersFinite(_ value: Any) -> Bool {
        switch value {
        case let dictionary as [String: Any]: dictionary.values.allSatisfy(allNumbersFinite)
        case let array as [Any]: array.allSatisfy(allNumbersFinite)
        case let number as NSNumber: number.doubleValue.isFinite
        default: true
        }
    }
}

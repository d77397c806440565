/// Computes conversation metrics (talk time, silence, interruptions, pace, monologues, reply gaps,
/// questions, interactivity, fillers, loudness and sentiment) from a transcript.
///
/// Every definition, default and edge case is written out in `docs/metrics.md`; each value in the report
/// also carries its formula. The result depends only on the inputs, so the same call always gives the
/// same report.
public enum ConversationAnalyzer {
    /// Measures one call.
    /// - Parameters:
    ///   - transcript: The call's transcript; utterances whose speaker has no role are ignored.
    ///   - callDuration: The recording's length in seconds. When absent, negative or not finite, the last
    ///     utterance end is used; when shorter than the last utterance end, it is raised to it.
    ///   - settings: Thresholds; negative or non-finite values fall back to their defaults.
    /// - Returns: The report; an empty transcript gives zeros throughout.
    public static func analyze(
        _ transcript: Transcript, callDuration: Double?, settings: MetricSettings = .init()
    ) -> ConversationReport {
        let conversation = Conversation(transcript, callDuration: callDuration, settings: settings.sanitized)
        return report(for: conversation)
    }

    private static func report(for conversation: Conversation) -> ConversationReport {
        let duration = conversation.duration
        let speech = Interval.union(conversation.turns.map(\.interval))
        let switches = conversation.replyGaps.values.reduce(0) { $0 + $1.values.count }
        return ConversationReport(
            settings: conversation.settings,
            callDuration: Metric(value: Rounded.seconds(duration), unit: Unit.seconds, formula: Formula.callDuration),
            speechTime: Metric(
                value: Rounded.seconds(speech.reduce(0) { $0 + $1.length }), unit: Unit.seconds,
                formula: Formula.speechTime),
            overlapTime: Metric(
                value: Rounded.seconds(
                    Interval.overlapLength(conversation.speech[.agent] ?? [], conversation.speech[.customer] ?? [])),
                unit: Unit.seconds, formula: Formula.overlapTime),
            nonTalk: nonTalk(around: speech, in: conversation),
            interruptions: interruptionTotals(conversation.interruptions),
            speakerSwitches: Metric(value: switches, unit: Unit.count, formula: Formula.speakerSwitches),
            interactivity: Metric(
                value: Rounded.rate(Rounded.quotient(Double(switches), duration / 60)), unit: Unit.switchesPerMinute,
                formula: Formula.interactivity),
            agent: PartyMeasures(role: .agent, conversation: conversation).report,
            customer: PartyMeasures(role: .customer, conversation: conversation).report,
            turns: turnReports(conversation))
    }

    private static func nonTalk(around speech: [Interval], in conversation: Conversation) -> ConversationReport.NonTalk
    {
        let threshold = conversation.settings.nonTalkThreshold
        let silences = Interval.gaps(in: conversation.duration, around: speech).filter { $0.length > threshold }
        let total = silences.reduce(0) { $0 + $1.length }
        return ConversationReport.NonTalk(
            total: Metric(value: Rounded.seconds(total), unit: Unit.seconds, formula: Formula.nonTalk(threshold)),
            share: Metric(
                value: Rounded.ratio(Rounded.quotient(total, conversation.duration)), unit: Unit.ratio,
                formula: Formula.nonTalkShare),
            instances: silences.map { TimeSpan(start: $0.start, end: $0.end) })
    }

    private static func interruptionTotals(_ interruptions: [Interruption]) -> ConversationReport.InterruptionTotals {
        let overlap = interruptions.reduce(0) { $0 + $1.duration }
        return ConversationReport.InterruptionTotals(
            count: Metric(value: interruptions.count, unit: Unit.count, formula: Formula.interruptionTotal),
            overlapTime: Metric(value: Rounded.seconds(overlap), unit: Unit.seconds, formula: Formula.interruptionTime))
    }

    private static func turnReports(_ conversation: Conversation) -> [TurnReport] {
        conversation.turns.enumerated().map { index, turn in
            let tally = conversation.tallies[index]
            return TurnReport(
                utteranceID: turn.utteranceID, speaker: turn.speaker, role: turn.role,
                start: Rounded.seconds(turn.start), end: Rounded.seconds(turn.end), wordCount: turn.words.tokens.count,
                backchannel: turn.isBackchannel, questions: conversation.questionCounts[index],
                fillers: conversation.fillerCounts[index].reduce(0, +), loudness: turn.loudness.map(Rounded.rate),
                sentiment: tally.label, sentimentScore: tally.score, quarter: conversation.quarters[index] + 1)
        }
    }
}

/// Builds one party's section of the report from a measured conversation.
struct PartyMeasures {
    let role: SpeakerRole
    let conversation: Conversation

    var report: PartyReport {
        let own = conversation.indices(of: role)
        let talk = conversation.talkTime(role)
        let words = own.reduce(0) { $0 + conversation.turns[$1].words.tokens.count }
        let formula = Formula(role)
        return PartyReport(
            role: role,
            turnCount: Metric(value: own.count, unit: Unit.count, formula: formula.turnCount),
            talkTime: Metric(value: Rounded.seconds(talk), unit: Unit.seconds, formula: formula.talkTime),
            talkRatioOfSpeech: Metric(
                value: Rounded.ratio(Rounded.quotient(talk, totalTalk)), unit: Unit.ratio,
                formula: formula.talkRatioOfSpeech),
            talkRatioOfCall: Metric(
                value: Rounded.ratio(Rounded.quotient(talk, conversation.duration)), unit: Unit.ratio,
                formula: formula.talkRatioOfCall),
            wordCount: Metric(value: words, unit: Unit.count, formula: formula.wordCount),
            wordsPerMinute: Metric(
                value: Rounded.rate(Rounded.quotient(Double(words), talk / 60)), unit: Unit.wordsPerMinute,
                formula: formula.wordsPerMinute),
            averageLoudness: averageLoudness(own, formula),
            longestMonologue: monologue(formula),
            interruptions: interruptions(formula),
            replyGap: replyGap(formula),
            questions: Metric(
                value: own.reduce(0) { $0 + conversation.questionCounts[$1] }, unit: Unit.count,
                formula: formula.questions),
            fillers: fillers(own, talk: talk, formula),
            sentiment: sentiment(own, formula))
    }

    private var totalTalk: Double { SpeakerRole.allCases.reduce(0) { $0 + conversation.talkTime($1) } }

    private func averageLoudness(_ own: [Int], _ formula: Formula) -> Metric<Double?> {
        let levels = own.compactMap { conversation.turns[$0].loudness }
        let mean = levels.isEmpty ? nil : Rounded.rate(levels.reduce(0, +) / Double(levels.count))
        return Metric(value: mean, unit: Unit.loudness, formula: formula.averageLoudness)
    }

    private func monologue(_ formula: Formula) -> PartyReport.Monologue {
        let run = MonologueFinder.longest(for: role, in: conversation.turns, settings: conversation.settings)
        return PartyReport.Monologue(
            duration: Metric(
                value: Rounded.seconds(run.map { $0.end - $0.start } ?? 0), unit: Unit.seconds,
                formula: formula.monologue(gap: conversation.settings.monologueGap)),
            span: run.map { TimeSpan(start: $0.start, end: $0.end) },
            turnCount: run?.turnCount ?? 0)
    }

    private func interruptions(_ formula: Formula) -> PartyReport.Interruptions {
        let made = conversation.interruptions.filter { $0.interrupter == role }
        return PartyReport.Interruptions(
            count: Metric(
                value: made.count, unit: Unit.count,
                formula: formula.interruptions(minimum: conversation.settings.interruptionMinDuration)),
            overlapTime: Metric(
                value: Rounded.seconds(made.reduce(0) { $0 + $1.duration }), unit: Unit.seconds,
                formula: formula.interruptionOverlap),
            instances: made)
    }

    private func replyGap(_ formula: Formula) -> PartyReport.ReplyGap {
        let gaps = conversation.replyGaps[role] ?? ReplyGapFinder.Gaps()
        return PartyReport.ReplyGap(
            replies: Metric(value: gaps.values.count, unit: Unit.count, formula: formula.replies),
            overlapping: Metric(value: gaps.overlapping, unit: Unit.count, formula: formula.overlappingReplies),
            median: Metric(
                value: ReplyGapFinder.median(gaps.values).map(Rounded.seconds), unit: Unit.seconds,
                formula: formula.replyGapMedian),
            longest: Metric(
                value: gaps.values.max().map(Rounded.seconds), unit: Unit.seconds, formula: formula.replyGapLongest))
    }

    private func fillers(_ own: [Int], talk: Double, _ formula: Formula) -> PartyReport.Fillers {
        var counts = [Int](repeating: 0, count: SpokenPhrases.fillerTerms.count)
        for index in own {
            for (slot, count) in conversation.fillerCounts[index].enumerated() { counts[slot] += count }
        }
        let total = counts.reduce(0, +)
        return PartyReport.Fillers(
            count: Metric(value: total, unit: Unit.count, formula: formula.fillers),
            perMinute: Metric(
                value: Rounded.rate(Rounded.quotient(Double(total), talk / 60)), unit: Unit.fillersPerMinute,
                formula: formula.fillersPerMinute),
            terms: zip(SpokenPhrases.fillerTerms, counts).map { PartyReport.FillerCount(term: $0, count: $1) })
    }

    private func sentiment(_ own: [Int], _ formula: Formula) -> PartyReport.Sentiment {
        let overall = own.reduce(SentimentScorer.Tally()) { $0 + conversation.tallies[$1] }
        let quarters = (0..<4).map { quarter in
            let inQuarter = own.filter { conversation.quarters[$0] == quarter }
            let tally = inQuarter.reduce(SentimentScorer.Tally()) { $0 + conversation.tallies[$1] }
            let bounds = conversation.quarterBounds(quarter)
            return PartyReport.QuarterScore(
                quarter: quarter + 1, start: Rounded.seconds(bounds.start), end: Rounded.seconds(bounds.end),
                turnCount: inQuarter.count, score: tally.score)
        }
        let labels = own.map { conversation.tallies[$0].label }
        return PartyReport.Sentiment(
            overall: Metric(value: overall.score, unit: Unit.score, formula: formula.sentimentOverall),
            quarters: Metric(value: quarters, unit: Unit.score, formula: formula.sentimentQuarters),
            positiveTurns: labels.filter { $0 == .positive }.count,
            negativeTurns: labels.filter { $0 == .negative }.count,
            neutralTurns: labels.filter { $0 == .neutral }.count,
            mixedTurns: labels.filter { $0 == .mixed }.count)
    }
}

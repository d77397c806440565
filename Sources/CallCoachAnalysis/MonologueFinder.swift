/// Finds each party's longest monologue.
///
/// A monologue is a run of one party's turns (backchannels included) in which each next turn starts
/// less than ``MetricSettings/monologueGap`` after the run so far ends, and no non-backchannel turn of
/// the other party starts after the run began and no later than that next turn. Its duration is from
/// the first turn's start to the latest end in the run. Ties go to the earlier run.
enum MonologueFinder {
    /// The longest run, or `nil` when the party has no turns.
    struct Run {
        var start: Double
        var end: Double
        var turnCount: Int
    }

    static func longest(for role: SpeakerRole, in turns: [Turn], settings: MetricSettings) -> Run? {
        let own = turns.filter { $0.role == role }
        let others = turns.filter { $0.role != role && !$0.isBackchannel }
        var best: Run?
        var current: Run?
        var nextOther = 0
        for turn in own {
            if var run = current {
                let otherCutIn = nextOther < others.count && others[nextOther].start <= turn.start
                if turn.start - run.end < settings.monologueGap && !otherCutIn {
                    run.end = max(run.end, turn.end)
                    run.turnCount += 1
                    current = run
                    continue
                }
                best = longer(best, run)
            }
            current = Run(start: turn.start, end: turn.end, turnCount: 1)
            while nextOther < others.count && others[nextOther].start <= turn.start { nextOther += 1 }
        }
        return current.map { longer(best, $0) } ?? best
    }

    private static func longer(_ best: Run?, _ candidate: Run) -> Run {
        guard let best else { return candidate }
        return candidate.end - candidate.start > best.end - best.start ? candidate : best
    }
}

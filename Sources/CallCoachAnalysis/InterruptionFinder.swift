/// Finds interruptions: a turn that starts while the other party is mid-turn and keeps going.
///
/// Turn B (party P) interrupts turn A (the other party) when A.start < B.start < A.end, B is not a
/// backchannel, A is not a backchannel, and B either outlasts A (B.end > A.end) or lasts at least
/// ``MetricSettings/interruptionMinDuration``. When several of the other party's turns are in progress,
/// A is the one reaching furthest. The overlap runs from B.start to min(A.end, B.end).
enum InterruptionFinder {
    static func find(in turns: [Turn], settings: MetricSettings) -> [Interruption] {
        var furthest: [SpeakerRole: Turn] = [:]
        var found: [Interruption] = []
        var groupStart = 0
        while groupStart < turns.count {
            // Turns starting together cannot interrupt each other, so a group shares one view of the floor.
            var groupEnd = groupStart
            while groupEnd < turns.count && turns[groupEnd].start == turns[groupStart].start { groupEnd += 1 }
            let group = turns[groupStart..<groupEnd]
            for turn in group {
                if let held = furthest[turn.role.other], let interruption = interruption(by: turn, of: held, settings) {
                    found.append(interruption)
                }
            }
            for turn in group where !turn.isBackchannel && turn.end > (furthest[turn.role]?.end ?? -1) {
                furthest[turn.role] = turn
            }
            groupStart = groupEnd
        }
        return found
    }

    private static func interruption(by turn: Turn, of held: Turn, _ settings: MetricSettings) -> Interruption? {
        guard !turn.isBackchannel, held.start < turn.start, turn.start < held.end,
            turn.end > held.end || turn.duration >= settings.interruptionMinDuration
        else { return nil }
        let end = min(held.end, turn.end)
        return Interruption(
            interrupter: turn.role, utteranceID: turn.utteranceID, interruptedUtteranceID: held.utteranceID,
            start: Rounded.seconds(turn.start), end: Rounded.seconds(end), duration: Rounded.seconds(end - turn.start))
    }
}

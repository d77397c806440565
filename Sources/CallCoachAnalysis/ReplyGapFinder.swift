/// Measures the pause before each reply.
///
/// Backchannels are ignored throughout. A reply is a turn whose preceding turn (by start time) belongs
/// to the other party. Its gap is `reply.start − latest end of any earlier turn`, so a party that was
/// still talking when the other cut in is not charged for its own speech. Replies that start before
/// that end count as a gap of 0 and are also counted as overlapping.
enum ReplyGapFinder {
    /// The gaps of one responding party.
    struct Gaps {
        var values: [Double] = []
        var overlapping = 0
    }

    static func gaps(in turns: [Turn]) -> [SpeakerRole: Gaps] {
        var result: [SpeakerRole: Gaps] = [.agent: Gaps(), .customer: Gaps()]
        var previousRole: SpeakerRole?
        var latestEnd = 0.0
        for turn in turns where !turn.isBackchannel {
            if let previousRole, previousRole != turn.role {
                let gap = turn.start - latestEnd
                result[turn.role, default: Gaps()].values.append(max(0, gap))
                if gap < 0 { result[turn.role, default: Gaps()].overlapping += 1 }
            }
            previousRole = turn.role
            latestEnd = max(latestEnd, turn.end)
        }
        return result
    }

    /// The median of `values` (the mean of the middle two for an even count), or `nil` when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}

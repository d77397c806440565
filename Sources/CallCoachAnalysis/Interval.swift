/// A half-open stretch of time in seconds, used for interval arithmetic.
struct Interval: Equatable {
    var start: Double
    var end: Double

    var length: Double { end - start }

    /// The union of `intervals` as disjoint intervals in time order; touching intervals merge and
    /// zero-length ones are dropped.
    static func union(_ intervals: [Interval]) -> [Interval] {
        var merged: [Interval] = []
        let nonEmpty = intervals.filter { $0.end > $0.start }
        for interval in nonEmpty.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            if let last = merged.last, interval.start <= last.end {
                merged[merged.count - 1].end = max(last.end, interval.end)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// The parts of `0..<duration` that disjoint, ordered `intervals` leave uncovered.
    static func gaps(in duration: Double, around intervals: [Interval]) -> [Interval] {
        var gaps: [Interval] = []
        var cursor = 0.0
        for interval in intervals {
            if interval.start > cursor { gaps.append(Interval(start: cursor, end: interval.start)) }
            cursor = max(cursor, interval.end)
        }
        if duration > cursor { gaps.append(Interval(start: cursor, end: duration)) }
        return gaps
    }

    /// Total length of the overlap between two lists of disjoint, ordered intervals.
    static func overlapLength(_ lhs: [Interval], _ rhs: [Interval]) -> Double {
        var total = 0.0
        var left = 0
        var right = 0
        while left < lhs.count && right < rhs.count {
            let start = max(lhs[left].start, rhs[right].start)
            let end = min(lhs[left].end, rhs[right].end)
            if end > start { total += end - start }
            if lhs[left].end < rhs[right].end { left += 1 } else { right += 1 }
        }
        return total
    }
}

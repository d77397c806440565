/// A low percentile of recent frame levels, kept in a sliding histogram of 0.5 dB bins from −100 to 0 dBFS.
struct NoiseFloorTracker: Sendable {
    private static let binsPerDecibel = 2.0
    private static let binCount = 201

    private let capacity: Int
    private let percentile: Double
    private var histogram = [Int](repeating: 0, count: NoiseFloorTracker.binCount)
    private var window: [UInt8] = []
    private var oldest = 0

    init(capacity: Int, percentile: Double) {
        self.capacity = max(1, capacity)
        self.percentile = percentile
        window.reserveCapacity(self.capacity)
    }

    mutating func add(_ level: Double) {
        let scaled = ((level - Loudness.minimumLevel) * Self.binsPerDecibel).rounded(.down)
        let bin = UInt8(min(Double(Self.binCount - 1), max(0, scaled)))
        histogram[Int(bin)] += 1
        if window.count < capacity {
            window.append(bin)
            return
        }
        histogram[Int(window[oldest])] -= 1
        window[oldest] = bin
        oldest = (oldest + 1) % capacity
    }

    /// The floor in dBFS, or ``Loudness/minimumLevel`` before any frame has been seen.
    var floor: Double {
        guard !window.isEmpty else { return Loudness.minimumLevel }
        let rank = max(1, Int((Double(window.count) * percentile).rounded(.up)))
        var seen = 0
        for bin in 0..<Self.binCount {
            seen += histogram[bin]
            if seen >= rank { return Loudness.minimumLevel + (Double(bin) + 0.5) / Self.binsPerDecibel }
        }
        return 0
    }
}

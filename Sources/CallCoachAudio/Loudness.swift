#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The 0–100 loudness scale: RMS level in dBFS mapped linearly from −60 dBFS (0) to 0 dBFS (100), clamped.
///
/// dBFS here is `20·log10(rms)` with full scale 1.0, so a full-scale square wave is 0 dBFS and a
/// full-scale sine −3 dBFS (loudness 95).
public enum Loudness {
    public static let silentLevel = -60.0
    /// The level reported for digital silence, where the logarithm is undefined.
    public static let minimumLevel = -100.0

    /// RMS level of a span of samples in dBFS, at least ``minimumLevel``.
    public static func level(of samples: some Collection<Float>) -> Double {
        var energy = 0.0
        for sample in samples { energy += Double(sample) * Double(sample) }
        return level(energy: energy, count: samples.count)
    }

    /// RMS level in dBFS from a sum of squared samples.
    public static func level(energy: Double, count: Int) -> Double {
        guard count > 0, energy > 0 else { return minimumLevel }
        return max(minimumLevel, 10 * log10(energy / Double(count)))
    }

    /// Loudness of a level in dBFS on the 0–100 scale.
    public static func score(level: Double) -> Double {
        min(100, max(0, (level - silentLevel) / -silentLevel * 100))
    }

    /// Loudness of a span of samples on the 0–100 scale.
    public static func score(of samples: some Collection<Float>) -> Double {
        score(level: level(of: samples))
    }
}

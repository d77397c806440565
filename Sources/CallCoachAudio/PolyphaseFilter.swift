#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Coefficients of a Kaiser-windowed sinc low-pass, one row per fractional position ("phase").
///
/// For rate pairs whose reduced ratio `up/down` has `up ≤ 1024` (all common rates: 8, 11.025, 22.05,
/// 32, 44.1, 48, 96, 192 kHz) there is one exact row per output position. Other ratios round the
/// position to the nearest of 1024 rows, a timing error under 1/2048 of an input sample.
struct PolyphaseFilter: Sendable {
    static let zeroCrossings = 32.0
    static let cutoffFraction = 0.4625
    static let kaiserBeta = 8.0
    static let maximumPhases = 1024

    /// Output positions advance by `downFactor / upFactor` input samples.
    let upFactor: Int
    let downFactor: Int
    let phaseCount: Int
    /// Taps on each side of the output position.
    let halfTaps: Int
    /// `2 × halfTaps` rounded up to whole SIMD vectors.
    let tapsPerPhase: Int
    private let coefficients: [Float]

    init(inputRate: Int, outputRate: Int) {
        let divisor = Self.gcd(inputRate, outputRate)
        upFactor = outputRate / divisor
        downFactor = inputRate / divisor
        phaseCount = min(upFactor, Self.maximumPhases)

        // Cut-off in cycles per input sample; the kernel spans zeroCrossings lobes each side.
        let cutoff = Self.cutoffFraction * Double(min(inputRate, outputRate)) / Double(inputRate)
        let halfWidth = Self.zeroCrossings / (2 * cutoff)
        halfTaps = Int(halfWidth.rounded(.up))
        tapsPerPhase = (2 * halfTaps + 7) / 8 * 8
        coefficients = Self.table(
            phases: phaseCount, taps: tapsPerPhase, halfTaps: halfTaps, cutoff: cutoff, halfWidth: halfWidth)
    }

    /// The output at input position `first + halfTaps - 1 + remainder / upFactor`.
    func apply(_ samples: UnsafeBufferPointer<Float>, from first: Int, remainder: Int) -> Float {
        let phase = phaseCount == upFactor ? remainder : (remainder * phaseCount + upFactor / 2) / upFactor
        return coefficients.withUnsafeBufferPointer { table in
            let row = UnsafeRawPointer(table.baseAddress! + phase * tapsPerPhase)
            let input = UnsafeRawPointer(samples.baseAddress! + first)
            var sum = SIMD8<Float>()
            let stride = MemoryLayout<SIMD8<Float>>.size
            for offset in Swift.stride(from: 0, to: tapsPerPhase * 4, by: stride) {
                sum +=
                    row.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    * input.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            }
            return sum.sum()
        }
    }

    /// One row per phase, plus a row at fraction 1 for positions that round up to the next sample.
    private static func table(phases: Int, taps: Int, halfTaps: Int, cutoff: Double, halfWidth: Double) -> [Float] {
        var table = [Float](repeating: 0, count: (phases + 1) * taps)
        let windowScale = 1 / besselI0(kaiserBeta)
        for phase in 0...phases {
            let fraction = Double(phase) / Double(phases)
            var row = [Double](repeating: 0, count: taps)
            for tap in 0..<taps {
                // Distance from the output position to input sample `first + tap`.
                let distance = fraction + Double(halfTaps - 1 - tap)
                row[tap] = kernel(distance, cutoff: cutoff, halfWidth: halfWidth) * windowScale
            }
            // Unit gain at DC in every phase keeps a constant input constant.
            let total = row.reduce(0, +)
            for tap in 0..<taps { table[phase * taps + tap] = Float(row[tap] / total) }
        }
        return table
    }

    private static func kernel(_ distance: Double, cutoff: Double, halfWidth: Double) -> Double {
        let position = distance / halfWidth
        guard abs(position) < 1 else { return 0 }
        let argument = 2 * cutoff * distance
        let sinc = argument == 0 ? 1 : sin(Double.pi * argument) / (Double.pi * argument)
        return 2 * cutoff * sinc * besselI0(kaiserBeta * (1 - position * position).squareRoot())
    }

    /// Modified Bessel function of the first kind, order 0, by its power series.
    private static func besselI0(_ x: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        let quarterSquare = x * x / 4
        for k in 1..<64 {
            term *= quarterSquare / Double(k * k)
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

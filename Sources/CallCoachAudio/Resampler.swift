/// Converts a stream of samples from one rate to another (16 kHz by default) with a Kaiser-windowed sinc
/// low-pass filter applied in polyphase form.
///
/// The filter is linear-phase and centred, so output sample `n` sits at input time `n * inputRate /
/// outputRate` with no added delay. Feeding the input in chunks gives exactly the same samples as
/// feeding it at once; call ``finish()`` after the last chunk to get the tail.
///
/// Filter: cut-off at 0.4625 × the lower of the two rates (7.4 kHz for 16 kHz output, 3.7 kHz for
/// 8 kHz input), 32 zero crossings each side, Kaiser β = 8 (about 80 dB stop-band).
///
/// ```swift
/// var resampler = Resampler(inputRate: 48_000)
/// let first = resampler.process(chunk)
/// let tail = resampler.finish()
/// ```
public struct Resampler: Sendable {
    /// The rate the speech recogniser expects.
    public static let speechRate = 16_000

    public let inputRate: Int
    public let outputRate: Int

    private let filter: PolyphaseFilter?
    private var buffer: [Float] = []
    /// Absolute input index of `buffer[0]`; negative indices are the zeros before the first sample.
    private var bufferStart: Int
    /// Input position of the next output: `base + remainder / filter.upFactor`.
    private var base = 0
    private var remainder = 0
    private var inputCount = 0

    /// Creates a resampler; both rates must be positive.
    public init(inputRate: Int, outputRate: Int = Resampler.speechRate) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate
        self.outputRate = outputRate
        let filter = inputRate == outputRate ? nil : PolyphaseFilter(inputRate: inputRate, outputRate: outputRate)
        self.filter = filter
        let lead = filter.map { $0.halfTaps - 1 } ?? 0
        self.buffer = [Float](repeating: 0, count: lead)
        self.bufferStart = -lead
    }

    /// Resamples the next chunk and returns every output sample that is already fully determined.
    public mutating func process(_ input: [Float]) -> [Float] {
        guard let filter else { return input }
        inputCount += input.count
        buffer.append(contentsOf: input)
        return drain(filter, limit: nil)
    }

    /// Returns the remaining output after the last chunk, treating the signal as silent after its end.
    /// In total, `ceil(inputs × outputRate / inputRate)` samples come out.
    public mutating func finish() -> [Float] {
        guard let filter else { return [] }
        buffer.append(contentsOf: repeatElement(0, count: filter.tapsPerPhase))
        return drain(filter, limit: inputCount)
    }

    private mutating func drain(_ filter: PolyphaseFilter, limit: Int?) -> [Float] {
        var output: [Float] = []
        output.reserveCapacity(buffer.count * filter.upFactor / filter.downFactor + 1)
        let available = bufferStart + buffer.count
        buffer.withUnsafeBufferPointer { samples in
            while base - filter.halfTaps + 1 + filter.tapsPerPhase <= available {
                if let limit, base >= limit { break }
                let first = base - filter.halfTaps + 1 - bufferStart
                output.append(filter.apply(samples, from: first, remainder: remainder))
                remainder += filter.downFactor
                base += remainder / filter.upFactor
                remainder %= filter.upFactor
            }
        }
        discardConsumed(filter)
        return output
    }

    private mutating func discardConsumed(_ filter: PolyphaseFilter) {
        let consumed = base - filter.halfTaps + 1 - bufferStart
        guard consumed > 0 else { return }
        buffer.removeFirst(min(consumed, buffer.count))
        bufferStart += consumed
    }
}

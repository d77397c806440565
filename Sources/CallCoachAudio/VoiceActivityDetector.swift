/// Finds speech on one channel from its short-time energy, streaming, with bounded memory.
///
/// Every 10 ms it measures the RMS level of the last 30 ms and compares it with a threshold that
/// follows the channel's own noise floor. `docs/audio.md` describes the rules and
/// ``Parameters`` holds the numbers.
///
/// ```swift
/// var detector = VoiceActivityDetector(sampleRate: 16_000)
/// var segments = detector.process(firstChunk)
/// segments += detector.finish()
/// ```
public struct VoiceActivityDetector: Sendable {
    public let sampleRate: Int
    public let parameters: Parameters

    private let hopSamples: Int
    private let framesPerWindow: Int
    private let lookaheadFrames: Int
    private var partialBlock: [Float] = []
    private var recentBlocks: [Double] = []
    private var energyBeforeFrame = 0.0
    private var noiseFloor: NoiseFloorTracker
    private var lookahead: [Frame] = []
    private var lookaheadHead = 0
    private var segments: SegmentBuilder

    /// Creates a detector for one channel; the frame and hop must be whole numbers of samples.
    public init(sampleRate: Int = Resampler.speechRate, parameters: Parameters = Parameters()) {
        self.sampleRate = sampleRate
        self.parameters = parameters
        hopSamples = Int((parameters.hopDuration * Double(sampleRate)).rounded())
        framesPerWindow = Int((parameters.frameDuration / parameters.hopDuration).rounded())
        precondition(hopSamples > 0 && framesPerWindow > 0, "frame and hop must be whole samples")
        lookaheadFrames = Int((parameters.lookahead / parameters.hopDuration).rounded())
        noiseFloor = NoiseFloorTracker(
            capacity: Int((parameters.noiseWindow / parameters.hopDuration).rounded()),
            percentile: parameters.noisePercentile)
        segments = SegmentBuilder(parameters: parameters, blocksPerFrame: framesPerWindow, hopSamples: hopSamples)
    }

    /// Feeds the next samples and returns the segments that are now final.
    public mutating func process(_ samples: [Float]) -> [SpeechSegment] {
        var finished: [SpeechSegment] = []
        var index = 0
        while index < samples.count {
            let take = min(hopSamples - partialBlock.count, samples.count - index)
            partialBlock.append(contentsOf: samples[index..<index + take])
            index += take
            if partialBlock.count == hopSamples {
                finished += addBlock(energy: partialBlock.reduce(0) { $0 + Double($1) * Double($1) })
                partialBlock.removeAll(keepingCapacity: true)
            }
        }
        return finished
    }

    /// Ends the stream and returns the remaining segments. A trailing part shorter than one frame is ignored.
    public mutating func finish() -> [SpeechSegment] {
        var finished: [SpeechSegment] = []
        while lookaheadHead < lookahead.count { finished += classifyOldest() }
        lookahead.removeAll()
        lookaheadHead = 0
        return finished + segments.finish()
    }

    /// Runs the detector over a whole signal at once.
    public static func segments(in samples: [Float], sampleRate: Int = Resampler.speechRate) -> [SpeechSegment] {
        var detector = VoiceActivityDetector(sampleRate: sampleRate)
        return detector.process(samples) + detector.finish()
    }

    private mutating func addBlock(energy: Double) -> [SpeechSegment] {
        recentBlocks.append(energy)
        guard recentBlocks.count >= framesPerWindow else { return [] }
        if recentBlocks.count > framesPerWindow { energyBeforeFrame += recentBlocks.removeFirst() }

        let frameEnergy = recentBlocks.reduce(0, +)
        let level = Loudness.level(energy: frameEnergy, count: hopSamples * framesPerWindow)
        noiseFloor.add(level)
        lookahead.append(Frame(level: level, energyBefore: energyBeforeFrame, energy: frameEnergy))
        return lookahead.count - lookaheadHead > lookaheadFrames ? classifyOldest() : []
    }

    /// Classifies the oldest queued frame against a floor that has already seen the look-ahead.
    private mutating func classifyOldest() -> [SpeechSegment] {
        let frame = lookahead[lookaheadHead]
        lookaheadHead += 1
        if lookaheadHead >= 4_096 {
            lookahead.removeFirst(lookaheadHead)
            lookaheadHead = 0
        }
        let threshold = max(parameters.absoluteThreshold, noiseFloor.floor + parameters.noiseMargin)
        return segments.add(frame, threshold: threshold)
    }
}

/// One analysis frame: its level and the channel energy before and within it, for segment loudness.
struct Frame: Sendable {
    let level: Double
    let energyBefore: Double
    let energy: Double
}

/// Turns classified frames into speech segments: onset after a run of speech frames, release after a
/// hangover of non-speech, then joining of close segments and dropping of short ones.
struct SegmentBuilder: Sendable {
    private struct Span {
        var firstFrame: Int
        var lastFrame: Int
        var energyBefore: Double
        var energyAfter: Double
        var samplesEnergy: Double
        var sampleBlocks: Int
    }

    private let parameters: VoiceActivityDetector.Parameters
    private let blocksPerFrame: Int
    private let hopSamples: Int
    private let hangoverFrames: Int
    private var frameIndex = 0
    private var onsetRun = 0
    private var onsetStart: (frame: Int, energyBefore: Double) = (0, 0)
    private var open: Span?
    private var silentRun = 0
    private var pending: Span?

    init(parameters: VoiceActivityDetector.Parameters, blocksPerFrame: Int, hopSamples: Int) {
        self.parameters = parameters
        self.blocksPerFrame = blocksPerFrame
        self.hopSamples = hopSamples
        hangoverFrames = Int((parameters.hangover / parameters.hopDuration).rounded())
    }

    /// Adds the next frame and returns any segment that can no longer change.
    mutating func add(_ frame: Frame, threshold: Double) -> [SpeechSegment] {
        defer { frameIndex += 1 }
        if open != nil { return continueSpeech(frame, threshold: threshold - parameters.releaseHysteresis) }

        guard frame.level > threshold else {
            onsetRun = 0
            return []
        }
        if onsetRun == 0 { onsetStart = (frameIndex, frame.energyBefore) }
        onsetRun += 1
        if onsetRun >= parameters.onsetFrames {
            open = Span(
                firstFrame: onsetStart.frame, lastFrame: frameIndex, energyBefore: onsetStart.energyBefore,
                energyAfter: frame.energyBefore + frame.energy, samplesEnergy: 0, sampleBlocks: 0)
            onsetRun = 0
            silentRun = 0
        }
        return []
    }

    /// Closes any open segment and returns everything not yet returned.
    mutating func finish() -> [SpeechSegment] {
        var finished = closeOpen()
        if let pending, let segment = segment(pending) { finished.append(segment) }
        pending = nil
        return finished
    }

    private mutating func continueSpeech(_ frame: Frame, threshold: Double) -> [SpeechSegment] {
        if frame.level > threshold {
            open?.lastFrame = frameIndex
            open?.energyAfter = frame.energyBefore + frame.energy
            silentRun = 0
            return []
        }
        silentRun += 1
        return silentRun >= hangoverFrames ? closeOpen() : []
    }

    private mutating func closeOpen() -> [SpeechSegment] {
        guard var span = open else { return [] }
        open = nil
        span.samplesEnergy = span.energyAfter - span.energyBefore
        span.sampleBlocks = span.lastFrame - span.firstFrame + blocksPerFrame
        guard var previous = pending else {
            pending = span
            return []
        }
        if start(span) - end(previous) < parameters.mergeGap {
            previous.lastFrame = span.lastFrame
            previous.samplesEnergy += span.samplesEnergy
            previous.sampleBlocks += span.sampleBlocks
            pending = previous
            return []
        }
        pending = span
        return segment(previous).map { [$0] } ?? []
    }

    private func segment(_ span: Span) -> SpeechSegment? {
        guard end(span) - start(span) >= parameters.minimumDuration else { return nil }
        let level = Loudness.level(energy: span.samplesEnergy, count: span.sampleBlocks * hopSamples)
        return SpeechSegment(start: start(span), end: end(span), loudness: Loudness.score(level: level))
    }

    private func start(_ span: Span) -> Double { Double(span.firstFrame) * parameters.hopDuration }

    private func end(_ span: Span) -> Double {
        Double(span.lastFrame) * parameters.hopDuration + parameters.frameDuration
    }
}

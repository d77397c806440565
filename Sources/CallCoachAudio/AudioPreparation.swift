/// Decodes a recording once, resamples each channel to 16 kHz, finds speech on each channel and writes
/// each channel as raw PCM to `pcmDirectory/channel-<index>-<role>.s16le`.
///
/// Memory stays bounded whatever the duration: one second of audio per channel is in flight at a time.
/// A stereo recording without a channel map is read as ``ChannelMap/agentLeft``; a mono one yields a
/// single ``SpeakerRole/mixed`` channel whatever the map says. On failure no PCM file is left behind.
///
/// - Throws: ``AudioError`` from decoding, or ``AudioError/Code/outputFailed`` when a PCM file cannot be written.
public func prepare(path: String, channelMap: ChannelMap?, pcmDirectory: String) throws(AudioError) -> PreparedAudio {
    let decoder = try AudioDecoder(path: path)
    let roles = (channelMap ?? .agentLeft).roles(channelCount: decoder.channelCount)
    var pipelines: [ChannelPipeline] = []
    do throws(AudioError) {
        for (index, role) in roles.enumerated() {
            let path = "\(pcmDirectory)/channel-\(index)-\(role.rawValue).s16le"
            pipelines.append(try ChannelPipeline(index: index, role: role, inputRate: decoder.sampleRate, path: path))
        }
        while let chunk = try decoder.read(maxFrames: decoder.sampleRate) {
            for index in pipelines.indices { try pipelines[index].consume(chunk[index]) }
        }
        var channels: [PreparedChannel] = []
        for index in pipelines.indices { channels.append(try pipelines[index].finish()) }
        return PreparedAudio(
            format: decoder.format, duration: Double(decoder.framesRead) / Double(decoder.sampleRate),
            originalSampleRate: decoder.sampleRate, originalChannelCount: decoder.channelCount,
            isMono: decoder.channelCount == 1, channels: channels)
    } catch {
        for pipeline in pipelines { pipeline.writer.discard() }
        throw error
    }
}

/// The per-channel work of ``prepare(path:channelMap:pcmDirectory:)``.
private struct ChannelPipeline {
    let index: Int
    let role: SpeakerRole
    let writer: PCMWriter
    private var resampler: Resampler
    private var detector = VoiceActivityDetector()
    private var segments: [SpeechSegment] = []

    init(index: Int, role: SpeakerRole, inputRate: Int, path: String) throws(AudioError) {
        self.index = index
        self.role = role
        self.writer = try PCMWriter(path: path)
        self.resampler = Resampler(inputRate: inputRate)
    }

    mutating func consume(_ samples: [Float]) throws(AudioError) {
        try emit(resampler.process(samples))
    }

    mutating func finish() throws(AudioError) -> PreparedChannel {
        try emit(resampler.finish())
        segments += detector.finish()
        try writer.finish()
        return PreparedChannel(
            index: index, role: role, segments: segments, pcmPath: writer.path, sampleCount: writer.sampleCount)
    }

    private mutating func emit(_ samples: [Float]) throws(AudioError) {
        segments += detector.process(samples)
        try writer.append(samples)
    }
}

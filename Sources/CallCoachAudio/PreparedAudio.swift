/// A call recording decoded once into per-channel 16 kHz PCM files and speech segments.
public struct PreparedAudio: Sendable {
    public let format: AudioFormat
    /// Seconds of audio decoded.
    public let duration: Double
    public let originalSampleRate: Int
    public let originalChannelCount: Int
    /// The source had one channel, so both parties share the single ``SpeakerRole/mixed`` channel.
    public let isMono: Bool
    /// One entry per source channel, in channel order.
    public let channels: [PreparedChannel]
}

/// One channel of a prepared recording.
public struct PreparedChannel: Sendable {
    /// 0 for left (or mono), 1 for right.
    public let index: Int
    public let role: SpeakerRole
    public let segments: [SpeechSegment]
    /// Raw little-endian signed 16-bit mono PCM at 16 kHz, no header.
    public let pcmPath: String
    /// Samples in the PCM file.
    public let sampleCount: Int

    /// Total seconds of speech on this channel.
    public var speechDuration: Double { segments.reduce(0) { $0 + $1.duration } }
}

import CSndFile

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams a call recording from disk as deinterleaved `Float` channels, one chunk at a time.
///
/// Only one chunk is held in memory, so a four-hour recording costs the same as a four-second one.
///
/// ```swift
/// let decoder = try AudioDecoder(path: "/uploads/call.mp3")
/// while let chunk = try decoder.read(maxFrames: decoder.sampleRate) {
///     process(chunk[0])  // left or mono
/// }
/// ```
///
/// Truncation: when the container announces a length (WAV data chunk size, FLAC stream info, MP3
/// Xing/LAME header, the last Ogg page) and the file holds less, decoding fails with
/// ``AudioError/Code/truncated`` instead of returning a shorter call. WAV truncation is found when the file
/// is opened; the other formats are found when the last chunk has been read.
public final class AudioDecoder {
    /// The container format recognised from the file's first bytes.
    public let format: AudioFormat
    /// The file's own sample rate in Hz.
    public let sampleRate: Int
    /// 1 for mono, 2 for stereo.
    public let channelCount: Int
    /// The number of frames the container announces, or `nil` when it does not say.
    public let frameCount: Int?
    /// Frames returned by ``read(maxFrames:)`` so far.
    public private(set) var framesRead = 0

    private let descriptor: Int32
    private let file: OpaquePointer
    private var interleaved: [Float] = []
    private var finished = false

    /// Opens and validates a recording.
    /// - Throws: ``AudioError`` for an empty, unsupported, corrupt or truncated file, more than two
    ///   channels, or a sample rate outside 8–192 kHz.
    public init(path: String) throws(AudioError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw AudioError(.unreadable) }
        do throws(AudioError) {
            let probe = try ContainerProbe(descriptor: descriptor)
            var info = SF_INFO()
            guard let file = sf_open_fd(descriptor, Int32(SFM_READ), &info, 0) else {
                throw AudioError(.corrupt)
            }
            self.descriptor = descriptor
            self.file = file
            self.format = probe.format
            self.sampleRate = Int(info.samplerate)
            self.channelCount = Int(info.channels)
            self.frameCount = Self.announcedFrames(info.frames)
        } catch {
            close(descriptor)
            throw error
        }
        try validate()
    }

    deinit {
        sf_close(file)
        close(descriptor)
    }

    /// Reads up to `maxFrames` frames, one array per channel, or returns `nil` at the end of the audio.
    /// - Throws: ``AudioError/Code/truncated`` when decoding fails part-way or stops short of the
    ///   announced length, ``AudioError/Code/zeroLength`` when the file holds no frames.
    public func read(maxFrames: Int) throws(AudioError) -> [[Float]]? {
        guard !finished else { return nil }
        let wanted = max(1, maxFrames)
        if interleaved.count < wanted * channelCount {
            interleaved = [Float](repeating: 0, count: wanted * channelCount)
        }
        let got = Int(
            interleaved.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, Int64(wanted)) })
        guard sf_error(file) == 0 else { throw AudioError(.truncated) }
        guard got > 0 else {
            finished = true
            try checkComplete()
            return nil
        }
        framesRead += got
        return deinterleave(frames: got)
    }

    private func validate() throws(AudioError) {
        guard channelCount >= 1 else { throw AudioError(.corrupt) }
        guard channelCount <= 2 else { throw AudioError(.tooManyChannels) }
        guard (8_000...192_000).contains(sampleRate) else { throw AudioError(.sampleRateOutOfRange) }
        guard frameCount != 0 else { throw AudioError(.zeroLength) }
    }

    private func checkComplete() throws(AudioError) {
        guard framesRead > 0 else { throw AudioError(.zeroLength) }
        guard let frameCount else { return }
        // An MP3 without a Xing/LAME header only has a length estimated from its size and bit rate.
        let tolerance = format == .mp3 ? max(2_304, frameCount / 50) : 0
        if framesRead < frameCount - tolerance { throw AudioError(.truncated) }
    }

    /// Splits the channels apart. A float WAV can hold NaN or infinity; those become silence so one bad
    /// sample cannot poison the filters downstream.
    private func deinterleave(frames: Int) -> [[Float]] {
        var channels = [[Float]](repeating: [], count: channelCount)
        interleaved.withUnsafeBufferPointer { source in
            for channel in 0..<channelCount {
                channels[channel] = [Float](unsafeUninitializedCapacity: frames) { target, count in
                    for frame in 0..<frames {
                        let sample = source[frame * channelCount + channel]
                        target[frame] = sample.isFinite ? sample : 0
                    }
                    count = frames
                }
            }
        }
        return channels
    }

    /// libsndfile reports an unknown length as `SF_COUNT_MAX`.
    private static func announcedFrames(_ frames: Int64) -> Int? {
        frames >= 0 && frames < Int64.max ? Int(frames) : nil
    }
}

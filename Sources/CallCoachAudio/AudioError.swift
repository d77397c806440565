/// A failure while reading or preparing a call recording. Each code has one fixed message that names no
/// path and no audio content, so it is safe to log and to show to the uploader.
public struct AudioError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
            case unreadable, emptyFile, unsupportedFormat, corrupt, truncated, zeroLength
            case tooManyChannels, sampleRateOutOfRange, invalidChannelMap, outputFailed
        }
        private let kind: Kind

        /// The file could not be opened or read by the operating system.
        public static let unreadable = Code(kind: .unreadable)
        /// The file has no bytes at all.
        public static let emptyFile = Code(kind: .emptyFile)
        /// The bytes are not WAV, MP3, FLAC or Ogg.
        public static let unsupportedFormat = Code(kind: .unsupportedFormat)
        /// The container looks right but the decoder cannot make sense of it.
        public static let corrupt = Code(kind: .corrupt)
        /// The file ends before the audio its header announces, or decoding failed part-way.
        public static let truncated = Code(kind: .truncated)
        /// The file decodes to no audio frames.
        public static let zeroLength = Code(kind: .zeroLength)
        /// The recording has more than two channels.
        public static let tooManyChannels = Code(kind: .tooManyChannels)
        /// The sample rate is outside 8–192 kHz.
        public static let sampleRateOutOfRange = Code(kind: .sampleRateOutOfRange)
        /// A channel map that does not name one agent and one customer.
        public static let invalidChannelMap = Code(kind: .invalidChannelMap)
        /// Writing the 16 kHz PCM output failed.
        public static let outputFailed = Code(kind: .outputFailed)

        public var description: String { kind.rawValue }

        var message: String {
            switch kind {
            case .unreadable: "the audio file could not be opened"
            case .emptyFile: "the audio file is empty"
            case .unsupportedFormat: "unsupported audio format; send WAV, MP3, FLAC or Ogg (Vorbis/Opus)"
            case .corrupt: "the audio file is corrupt and cannot be decoded"
            case .truncated: "the audio file is truncated: it ends before the audio its header announces"
            case .zeroLength: "the audio file contains no audio"
            case .tooManyChannels: "the audio has more than 2 channels; only mono and stereo calls are supported"
            case .sampleRateOutOfRange: "the sample rate is outside the supported range of 8 kHz to 192 kHz"
            case .invalidChannelMap: "the channel map must assign agent and customer to left and right"
            case .outputFailed: "the decoded audio could not be written"
            }
        }
    }

    public let code: Code
    public let file: String
    public let line: Int

    public init(_ code: Code, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.file = file
        self.line = line
    }

    /// The fixed, human-readable message for ``code``.
    public var message: String { code.message }

    public var description: String { "audio error (\(code)): \(code.message)" }

    public static func == (lhs: AudioError, rhs: AudioError) -> Bool { lhs.code == rhs.code }
}

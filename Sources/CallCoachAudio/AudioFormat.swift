/// A container format the server accepts for call recordings.
public enum AudioFormat: String, Sendable, CaseIterable {
    case wav, mp3, flac, ogg

    /// How many leading bytes ``sniff(_:)`` needs to recognise every format.
    public static let sniffLength = 12

    /// Recognises a format from the first bytes of a file, or returns `nil` for anything else.
    ///
    /// ```swift
    /// AudioFormat.sniff(Array("fLaC".utf8))  // .flac
    /// ```
    public static func sniff(_ header: [UInt8]) -> AudioFormat? {
        if header.starts(with: Array("RIFF".utf8)) {
            return header.count >= 12 && header[8..<12].elementsEqual("WAVE".utf8) ? .wav : nil
        }
        if header.starts(with: Array("fLaC".utf8)) { return .flac }
        if header.starts(with: Array("OggS".utf8)) { return .ogg }
        if header.starts(with: Array("ID3".utf8)) || isMPEGAudioFrameHeader(header) { return .mp3 }
        return nil
    }

    /// An MPEG audio frame header: 11 sync bits, then valid version, layer, bitrate and rate fields.
    /// Requiring a valid layer keeps AAC in ADTS (same sync word, layer 0) out.
    private static func isMPEGAudioFrameHeader(_ header: [UInt8]) -> Bool {
        guard header.count >= 4, header[0] == 0xFF, header[1] & 0xE0 == 0xE0 else { return false }
        let version = (header[1] >> 3) & 0b11
        let layer = (header[1] >> 1) & 0b11
        let bitrateIndex = header[2] >> 4
        let rateIndex = (header[2] >> 2) & 0b11
        return version != 0b01 && layer != 0b00 && bitrateIndex != 0b1111 && rateIndex != 0b11
    }
}

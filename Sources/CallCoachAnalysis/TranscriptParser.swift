/// Reads uploaded transcript files into ``Transcript`` values, refusing anything malformed.
///
/// Rules shared by every format (see `docs/transcript-format.md`): the bytes must be UTF-8; utterances
/// must be listed in order of start time and are never reordered; one speaker's utterances must not
/// overlap each other, while different speakers may overlap; no time may be negative, non-finite or
/// beyond 12 hours; an empty transcript is valid.
public enum TranscriptParser {
    /// The transcript in `bytes`.
    /// - Parameters:
    ///   - bytes: The uploaded file.
    ///   - format: Its format, e.g. from ``TranscriptFormat/detect(bytes:contentType:filename:)``.
    /// - Returns: The transcript, with utterance ids `u1`, `u2`, … in time order.
    /// - Throws: ``TranscriptError`` naming the first problem found.
    public static func parse(_ bytes: [UInt8], format: TranscriptFormat) throws(TranscriptError) -> Transcript {
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw TranscriptError(.invalidEncoding, "the transcript is not valid UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        switch format {
        case .json: return try JSONTranscriptReader.read(text)
        case .webVTT: return try CueTranscriptReader.read(text, style: .webVTT)
        case .srt: return try CueTranscriptReader.read(text, style: .srt)
        }
    }
}

import CWhisper
import CallCoachAnalysis
import Foundation
import Synchronization

/// One whisper.cpp model file, loaded on first use and shared by every worker of the process.
///
/// whisper.cpp's context is not safe to use from two threads at once, so every load and every
/// recognition runs on the model's own serial queue, off Swift's cooperative pool: a long
/// recognition never starves the tasks that answer requests.
public final class WhisperModel: @unchecked Sendable {
    /// `tiny.en` or `base`; also the file name, `ggml-<name>.bin`.
    public let name: String
    public let path: String
    /// Threads whisper.cpp uses for one recognition.
    public let threads: Int

    private let queue: DispatchQueue
    // Guarded by `queue`.
    private var context: OpaquePointer?
    private let residentBytes = Atomic<Int>(0)

    public init(name: String, path: String, threads: Int) {
        self.name = name
        self.path = path
        self.threads = max(1, threads)
        queue = DispatchQueue(label: "callcoach.whisper.\(name)")
    }

    deinit {
        if let context { whisper_free(context) }
    }

    /// Whether `path` looks like a ggml Whisper model: it exists, is large enough to hold one, and
    /// starts with the ggml magic. Checked at start so a missing or corrupt file is reported there,
    /// not by a crash in a worker.
    public static func check(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "the model file \(path) is missing" }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let magic = (try? handle.read(upToCount: 4)).map { [UInt8]($0) } ?? []
        guard size > 1_000_000, magic == [0x6c, 0x6d, 0x67, 0x67] else {
            return "the model file \(path) is not a ggml Whisper model"
        }
        return nil
    }

    /// Memory the loaded model added to the process, in bytes; 0 until it is loaded.
    public var loadedBytes: Int { residentBytes.load(ordering: .relaxed) }

    /// The words heard in 16 kHz samples, as segments with word timings relative to the clip.
    public func recognize(_ samples: [Int16]) async throws(TranscriptionError) -> [RecognizedSegment] {
        let result: Result<[RecognizedSegment], TranscriptionError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.recognizeNow(samples))
            }
        }
        return try result.get()
    }

    /// Loads the model if it is not loaded yet. A failure is not kept: the file may be installed
    /// or replaced, and the next attempt reads it again.
    public func load() async throws(TranscriptionError) {
        let result: Result<Void, TranscriptionError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.loadNow().map { _ in () }) }
        }
        try result.get()
    }

    private func loadNow() -> Result<OpaquePointer, TranscriptionError> {
        if let context { return .success(context) }
        if let problem = Self.check(path) { return .failure(TranscriptionError(problem, retryable: false)) }
        Self.silenceLibraryLog()
        let before = Self.residentSetBytes()
        var parameters = whisper_context_default_params()
        parameters.use_gpu = false
        parameters.flash_attn = false
        // Word times from the cross-attention alignment (DTW on the model's alignment heads):
        // far closer than the timestamp tokens, and a word's time decides which turn it is in.
        parameters.dtw_token_timestamps = true
        parameters.dtw_aheads_preset = name == "base" ? WHISPER_AHEADS_BASE : WHISPER_AHEADS_TINY_EN
        guard let loaded = whisper_init_from_file_with_params(path, parameters) else {
            return .failure(TranscriptionError("the model file \(path) could not be loaded", retryable: false))
        }
        context = loaded
        residentBytes.store(max(0, Self.residentSetBytes() - before), ordering: .relaxed)
        return .success(loaded)
    }

    private func recognizeNow(_ samples: [Int16]) -> Result<[RecognizedSegment], TranscriptionError> {
        let context: OpaquePointer
        switch loadNow() {
        case .success(let loaded): context = loaded
        case .failure(let error): return .failure(error)
        }
        guard !samples.isEmpty else { return .success([]) }
        let audio = samples.map { Float($0) / 32_768 }
        let language = strdup("en")
        defer { free(language) }
        var parameters = whisper_full_default_params(WHISPER_SAMPLING_GREEDY)
        parameters.n_threads = Int32(threads)
        parameters.language = UnsafePointer(language)
        parameters.translate = false
        parameters.no_context = true
        parameters.token_timestamps = true
        parameters.suppress_blank = true
        parameters.suppress_nst = true
        parameters.print_progress = false
        parameters.print_realtime = false
        parameters.print_special = false
        parameters.print_timestamps = false
        let status = audio.withUnsafeBufferPointer {
            whisper_full(context, parameters, $0.baseAddress, Int32($0.count))
        }
        guard status == 0 else {
            return .failure(TranscriptionError("whisper.cpp failed on this audio (status \(status))", retryable: false))
        }
        return .success(Self.segments(context))
    }

    /// The recognised segments, with words rebuilt from tokens: a token that starts with a space
    /// starts a new word; special and timestamp tokens are left out. Token bytes are joined before
    /// decoding, because one character may span two tokens.
    private static func segments(_ context: OpaquePointer) -> [RecognizedSegment] {
        let endOfText = whisper_token_eot(context)
        var segments: [RecognizedSegment] = []
        for segment in 0..<whisper_full_n_segments(context) {
            // Whisper times are in hundredths of a second.
            let start = Double(whisper_full_get_segment_t0(context, segment)) / 100
            let end = Double(whisper_full_get_segment_t1(context, segment)) / 100
            // Each word: its text, where it starts, and its tokens' probabilities.
            var pieces: [(bytes: [UInt8], start: Double, probabilities: [Float])] = []
            for index in 0..<whisper_full_n_tokens(context, segment) {
                let data = whisper_full_get_token_data(context, segment, index)
                guard data.id < endOfText, let pointer = whisper_full_get_token_text(context, segment, index)
                else { continue }
                let piece = Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer))).map {
                    UInt8(bitPattern: $0)
                }
                // The alignment time when there is one, else the token's own timestamp.
                let time = Double(data.t_dtw >= 0 ? data.t_dtw : data.t0) / 100
                if piece.first == UInt8(ascii: " ") || pieces.isEmpty {
                    pieces.append((piece, time, [data.p]))
                } else {
                    pieces[pieces.count - 1].bytes += piece
                    pieces[pieces.count - 1].probabilities.append(data.p)
                }
            }
            var words: [Word] = []
            for (index, piece) in pieces.enumerated() {
                let text = String(decoding: piece.bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                let wordStart = min(max(piece.start, start), end)
                // A word lasts until the next one starts, or the segment ends.
                let wordEnd = index + 1 < pieces.count ? min(max(pieces[index + 1].start, wordStart), end) : end
                let confidence = piece.probabilities.reduce(0, +) / Float(max(1, piece.probabilities.count))
                words.append(
                    Word(
                        text: text, start: wordStart, end: max(wordStart, wordEnd),
                        confidence: (Double(confidence) * 1000).rounded() / 1000))
            }
            let text = whisper_full_get_segment_text(context, segment).map { String(cString: $0) } ?? ""
            segments.append(RecognizedSegment(start: start, end: max(start, end), text: text, words: words))
        }
        return segments
    }

    /// whisper.cpp and ggml print to standard error, which would break the JSON log lines.
    private static func silenceLibraryLog() {
        whisper_log_set({ _, _, _ in }, nil)
    }

    /// The process's resident set, from `/proc/self/statm`.
    public static func residentSetBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// The embedded recogniser: a ``WhisperModel`` shared by the process.
public struct WhisperTranscriber: Transcriber {
    public let model: WhisperModel

    public init(model: WhisperModel) {
        self.model = model
    }

    public var name: String { "whisper:\(model.name)" }

    public func recognize(_ clip: SpeechClip) async throws(TranscriptionError) -> [RecognizedSegment] {
        try await model.recognize(clip.samples)
    }
}

import CallCoachAnalysis
import CallCoachAudio
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Transcribes a prepared recording channel by channel, on its voice-activity segments only, so
/// long silences never reach the recogniser (which would invent words for them).
///
/// Neighbouring segments of a channel are joined into one stretch while the gap between them is
/// at most ``maximumGap``; a stretch longer than ``maximumClip`` is cut. Stretches are then packed
/// into clips of at most ``maximumClip`` with ``spacer`` of digital silence between them: Whisper
/// always encodes a 30-second window, so on a call, where each party speaks in short turns, a
/// clip per turn would cost several times the audio. What the recogniser hears is put back on the
/// call's timeline stretch by stretch, and a segment heard across two stretches is split between
/// them by its words. Each clip is read from the channel's PCM file on its own, so memory holds
/// one clip at a time whatever the call's length.
public struct ChannelTranscription: Sendable {
    public static let maximumGap = 1.5
    public static let maximumClip = 30.0
    public static let spacer = 0.5

    /// A stretch of one channel's speech, in seconds of the call.
    public struct Stretch: Sendable, Equatable {
        public var start: Double
        public var end: Double

        public var duration: Double { end - start }
    }

    /// Stretches heard together, each at its offset in the clip.
    public struct Clip: Sendable, Equatable {
        public var stretches: [Stretch] = []
        public var offsets: [Double] = []

        public var duration: Double { (offsets.last ?? 0) + (stretches.last?.duration ?? 0) }

        /// The stretch a time in the clip belongs to: the last one starting at or before it.
        func stretchIndex(at time: Double) -> Int {
            offsets.lastIndex { $0 <= time + 1e-6 } ?? 0
        }

        /// A time in the clip as a time in the call; inside a spacer, the end of the stretch before.
        func callTime(_ time: Double) -> Double {
            let index = stretchIndex(at: time)
            return stretches[index].start + min(max(0, time - offsets[index]), stretches[index].duration)
        }
    }

    public let transcriber: any Transcriber

    public init(transcriber: any Transcriber) {
        self.transcriber = transcriber
    }

    /// The speech of one channel as stretches: close segments joined, long ones cut.
    public static func stretches(of segments: [SpeechSegment]) -> [Stretch] {
        var stretches: [Stretch] = []
        for segment in segments {
            var start = segment.start
            if let last = stretches.last, start - last.end <= maximumGap, segment.end - last.start <= maximumClip {
                stretches[stretches.count - 1].end = segment.end
                continue
            }
            while segment.end - start > maximumClip {
                stretches.append(Stretch(start: start, end: start + maximumClip))
                start += maximumClip
            }
            stretches.append(Stretch(start: start, end: segment.end))
        }
        return stretches
    }

    /// The clips of one channel: its stretches packed in order, each clip at most ``maximumClip``.
    public static func clips(of segments: [SpeechSegment]) -> [Clip] {
        var clips: [Clip] = []
        var current = Clip()
        for stretch in stretches(of: segments) {
            let offset = current.stretches.isEmpty ? 0 : current.duration + spacer
            if !current.stretches.isEmpty && offset + stretch.duration > maximumClip {
                clips.append(current)
                current = Clip()
            }
            current.offsets.append(current.stretches.isEmpty ? 0 : current.duration + spacer)
            current.stretches.append(stretch)
        }
        if !current.stretches.isEmpty { clips.append(current) }
        return clips
    }

    /// The whole call's transcript. `progress` receives the share of clips done, 0…1, after each clip.
    public func transcribe(_ audio: PreparedAudio, progress: @Sendable (Double) async -> Void = { _ in })
        async throws(TranscriptionError) -> Transcript
    {
        let work = audio.channels.map { ($0, Self.clips(of: $0.segments)) }
        let total = max(1, work.reduce(0) { $0 + $1.1.count })
        var done = 0
        var utterances: [Utterance] = []
        var speakers: [Speaker] = []
        for (channel, clips) in work {
            let id = channel.role.rawValue
            speakers.append(Speaker(id: id, role: channel.role == .customer ? .customer : .agent))
            for clip in clips {
                let samples = try Self.read(channel, clip)
                let heard = try await transcriber.recognize(
                    SpeechClip(samples: samples, start: clip.stretches[0].start))
                for (stretch, segment) in Self.place(heard, in: clip) {
                    utterances.append(
                        Utterance(
                            id: "", speaker: id, start: segment.start, end: segment.end, text: segment.text,
                            words: segment.words.isEmpty ? nil : segment.words,
                            loudness: Self.loudness(of: channel.segments, from: stretch.start, to: stretch.end)))
                }
                done += 1
                await progress(Double(done) / Double(total))
            }
        }
        utterances.sort { ($0.start, $0.speaker) < ($1.start, $1.speaker) }
        for index in utterances.indices { utterances[index].id = "u\(index + 1)" }
        return Transcript(speakers: speakers, utterances: utterances)
    }

    /// What was heard in a clip, on the call's timeline: one segment per stretch it touches, each
    /// with the stretch it lies in. A segment within one stretch keeps its text; one that spans
    /// several is split by where its words fall (without words, it goes where it starts).
    static func place(_ heard: [RecognizedSegment], in clip: Clip) -> [(Stretch, RecognizedSegment)] {
        var placed: [(Stretch, RecognizedSegment)] = []
        for segment in heard {
            let text = segment.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { continue }
            let first = clip.stretchIndex(at: max(0, segment.start))
            var groups: [Int: [Word]] = [:]
            for word in segment.words {
                let middle = (word.start + word.end) / 2
                let index = max(first, clip.stretchIndex(at: middle))
                let start = clip.callTime(word.start)
                let end = max(start, clip.callTime(word.end))
                groups[index, default: []].append(
                    Word(text: word.text, start: start, end: end, confidence: word.confidence))
            }
            if groups.count <= 1 {
                let index = groups.keys.first ?? first
                let stretch = clip.stretches[index]
                let start = max(stretch.start, clip.callTime(max(0, segment.start)))
                let end = min(stretch.end, max(start, clip.callTime(segment.end)))
                placed.append(
                    (stretch, RecognizedSegment(start: start, end: end, text: text, words: groups[index] ?? [])))
                continue
            }
            for index in groups.keys.sorted() {
                let words = groups[index]!
                let stretch = clip.stretches[index]
                let start = max(stretch.start, min(words.first!.start, stretch.end))
                let end = min(stretch.end, max(start, words.last!.end))
                placed.append(
                    (
                        stretch,
                        RecognizedSegment(
                            start: start, end: end, text: words.map(\.text).joined(separator: " "), words: words)
                    ))
            }
        }
        return placed
    }

    /// The duration-weighted loudness of the speech segments inside a clip.
    static func loudness(of segments: [SpeechSegment], from start: Double, to end: Double) -> Double? {
        var weighted = 0.0
        var seconds = 0.0
        for segment in segments {
            let overlap = min(segment.end, end) - max(segment.start, start)
            guard overlap > 0 else { continue }
            weighted += segment.loudness * overlap
            seconds += overlap
        }
        return seconds > 0 ? (weighted / seconds * 10).rounded() / 10 : nil
    }

    /// A clip's samples: each stretch read from the channel's PCM file, spacers of silence between.
    static func read(_ channel: PreparedChannel, _ clip: Clip) throws(TranscriptionError) -> [Int16] {
        var samples: [Int16] = []
        for (index, stretch) in clip.stretches.enumerated() {
            let wanted = Int((clip.offsets[index] * Double(SpeechClip.sampleRate)).rounded())
            if samples.count < wanted { samples += [Int16](repeating: 0, count: wanted - samples.count) }
            samples += try read(channel, from: stretch.start, to: stretch.end)
        }
        return samples
    }

    /// The samples of `channel` between two times, read from its PCM file.
    static func read(_ channel: PreparedChannel, from start: Double, to end: Double) throws(TranscriptionError)
        -> [Int16]
    {
        let first = max(0, min(channel.sampleCount, Int(start * Double(SpeechClip.sampleRate))))
        let last = max(first, min(channel.sampleCount, Int((end * Double(SpeechClip.sampleRate)).rounded(.up))))
        var samples = [Int16](repeating: 0, count: last - first)
        guard !samples.isEmpty else { return samples }
        let descriptor = open(channel.pcmPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TranscriptionError("the decoded audio could not be read", retryable: true) }
        defer { close(descriptor) }
        let wanted = samples.count * 2
        let got = samples.withUnsafeMutableBytes { buffer -> Int in
            var offset = 0
            while offset < wanted {
                let count = pread(descriptor, buffer.baseAddress! + offset, wanted - offset, off_t(first * 2 + offset))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                offset += count
            }
            return offset
        }
        guard got == wanted else {
            throw TranscriptionError("the decoded audio is shorter than expected", retryable: true)
        }
        return samples.map { Int16(littleEndian: $0) }
    }
}

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
/// Neighbouring segments of a channel are joined into one clip while the gap between them is at
/// most ``maximumGap`` and the clip stays within ``maximumClip``; a longer segment is cut into
/// pieces of that length. Each clip is read from the channel's PCM file on its own, so memory
/// holds one clip at a time whatever the call's length.
public struct ChannelTranscription: Sendable {
    public static let maximumGap = 1.5
    public static let maximumClip = 30.0

    public let transcriber: any Transcriber

    public init(transcriber: any Transcriber) {
        self.transcriber = transcriber
    }

    /// The clips of one channel, as (start, end) seconds.
    public static func clips(of segments: [SpeechSegment]) -> [(start: Double, end: Double)] {
        var clips: [(start: Double, end: Double)] = []
        for segment in segments {
            var start = segment.start
            if let last = clips.last, start - last.end <= maximumGap, segment.end - last.start <= maximumClip {
                clips[clips.count - 1].end = segment.end
                continue
            }
            while segment.end - start > maximumClip {
                clips.append((start, start + maximumClip))
                start += maximumClip
            }
            clips.append((start, segment.end))
        }
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
                let samples = try Self.read(channel, from: clip.start, to: clip.end)
                let heard = try await transcriber.recognize(SpeechClip(samples: samples, start: clip.start))
                let loudness = Self.loudness(of: channel.segments, from: clip.start, to: clip.end)
                for segment in heard {
                    let text = segment.text.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !text.isEmpty else { continue }
                    let start = clip.start + max(0, segment.start)
                    let end = min(clip.end, clip.start + max(segment.end, segment.start))
                    let words = segment.words.map { word in
                        Word(
                            text: word.text, start: clip.start + word.start, end: clip.start + word.end,
                            confidence: word.confidence)
                    }
                    utterances.append(
                        Utterance(
                            id: "", speaker: id, start: start, end: max(start, end), text: text,
                            words: words.isEmpty ? nil : words, loudness: loudness))
                }
                done += 1
                await progress(Double(done) / Double(total))
            }
        }
        utterances.sort { ($0.start, $0.speaker) < ($1.start, $1.speaker) }
        for index in utterances.indices { utterances[index].id = "u\(index + 1)" }
        return Transcript(speakers: speakers, utterances: utterances)
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

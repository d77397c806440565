import CallCoachAnalysis
import CallCoachAudio
import CallCoachHTTP
import Foundation

/// `callcoach analyze FILE [--transcript FILE] [--format json|text]`: the full report of one call
/// without a server or a database.
public enum OfflineAnalysis {
    public enum Output: String, Sendable {
        case json, text
    }

    /// Analyzes `path` (a recording or a transcript), with words from `transcriptPath` if given.
    public static func run(path: String, transcriptPath: String?, output: Output) throws -> String {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(path)")
        }
        let head = Array(bytes.prefix(AudioFormat.sniffLength))
        var words: Transcript?
        if let transcriptPath {
            words = try transcript(at: transcriptPath)
        }
        let report: CallReport
        if AudioFormat.sniff(head) != nil {
            let scratch = NSTemporaryDirectory() + "callcoach-analyze-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let prepared: PreparedAudio
            do {
                prepared = try prepare(path: path, channelMap: nil, pcmDirectory: scratch)
            } catch {
                throw ConfigurationError("\(path): \(error.message)")
            }
            report = CallPipeline.report(
                prepared, transcript: words ?? CallPipeline.voiceActivityTranscript(prepared),
                transcriber: words == nil ? "none" : "import")
        } else {
            guard words == nil else { throw ConfigurationError("\(path) is not WAV, MP3, FLAC or OGG audio") }
            let transcript = try transcript(at: path)
            let duration = transcript.utterances.map(\.end).max() ?? 0
            report = CallReport(
                metrics: ConversationAnalyzer.analyze(transcript, callDuration: duration), audio: nil,
                transcriber: "import", notes: [])
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        case .text:
            return summary(report)
        }
    }

    static func transcript(at path: String) throws -> Transcript {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(path)")
        }
        let bytes = Array(data)
        guard let format = TranscriptFormat.detect(bytes: bytes, contentType: nil, filename: path) else {
            throw ConfigurationError("\(path) is neither audio nor a JSON, WebVTT or SRT transcript")
        }
        do {
            return try TranscriptParser.parse(bytes, format: format)
        } catch {
            throw ConfigurationError("\(path): \(error.message)")
        }
    }

    /// A few lines a person reads at a terminal; `--format json` has everything.
    static func summary(_ report: CallReport) -> String {
        let metrics = report.metrics
        func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
        func percent(_ value: Double) -> String { String(format: "%.0f %%", value * 100) }
        var lines = ["call duration      \(seconds(metrics.callDuration.value))"]
        for (name, party) in [("agent", metrics.agent), ("customer", metrics.customer)] {
            lines.append(
                "\(name.padding(toLength: 9, withPad: " ", startingAt: 0))talk \(seconds(party.talkTime.value)), "
                    + "\(percent(party.talkRatioOfSpeech.value)) of speech, "
                    + "\(String(format: "%.0f", party.wordsPerMinute.value)) words/min, "
                    + "longest monologue \(seconds(party.longestMonologue.duration.value))")
        }
        lines.append(
            "non-talk           \(seconds(metrics.nonTalk.total.value)) in \(metrics.nonTalk.instances.count) spans")
        lines.append("interruptions      \(metrics.interruptions.count.value)")
        lines.append("transcriber        \(report.transcriber)")
        lines += report.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

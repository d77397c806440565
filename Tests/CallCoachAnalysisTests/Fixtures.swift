import CallCoachAnalysis
import Foundation

/// Transcripts built in code: agent lines are spoken by `A`, customer lines by `C`.
enum Fixtures {
    struct Line {
        let speaker: String
        let start: Double
        let end: Double
        let text: String
        var loudness: Double?
    }

    static func agent(_ start: Double, _ end: Double, _ text: String, loudness: Double? = nil) -> Line {
        Line(speaker: "A", start: start, end: end, text: text, loudness: loudness)
    }

    static func customer(_ start: Double, _ end: Double, _ text: String, loudness: Double? = nil) -> Line {
        Line(speaker: "C", start: start, end: end, text: text, loudness: loudness)
    }

    static func transcript(_ lines: [Line]) -> Transcript {
        Transcript(
            speakers: [Speaker(id: "A", role: .agent), Speaker(id: "C", role: .customer)],
            utterances: lines.enumerated().map { index, line in
                Utterance(
                    id: "u\(index + 1)", speaker: line.speaker, start: line.start, end: line.end, text: line.text,
                    loudness: line.loudness)
            })
    }

    static func analyze(
        _ lines: [Line], callDuration: Double? = nil, settings: MetricSettings = .init()
    ) -> ConversationReport {
        ConversationAnalyzer.analyze(transcript(lines), callDuration: callDuration, settings: settings)
    }

    /// A sentence of `count` distinct, sentiment-free, filler-free words.
    static func words(_ count: Int) -> String {
        (1...max(count, 1)).map { "word\($0)" }.prefix(count).joined(separator: " ")
    }

    static func json(_ report: ConversationReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}

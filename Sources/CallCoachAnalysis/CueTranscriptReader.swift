import Foundation

/// Reads WebVTT and SRT subtitles: one utterance per cue, speakers from voice tags or `Name:` prefixes.
///
/// NOTE, STYLE and REGION blocks, cue identifiers and cue settings are skipped. A cue without a speaker
/// continues the previous cue's speaker. Cues with no text left after tags are removed carry no speech
/// and are dropped. At most two distinct speakers (compared without regard to case) are allowed; see
/// ``SpeakerRoleGuess`` for how they get their roles.
enum CueTranscriptReader {
    private struct Cue {
        let ordinal: Int
        let timing: CueText.Timing
        let payload: CueText.Payload
    }

    static func read(_ text: String, style: CueText.Style) throws(TranscriptError) -> Transcript {
        var blocks = blocks(of: text)
        if style == .webVTT {
            guard let header = blocks.first?.first, CueText.hasWebVTTHeader(header) else {
                throw TranscriptError(.malformed, "the file does not start with a WEBVTT header")
            }
            blocks.removeFirst()
        }
        let cues = try cues(in: blocks, style: style)
        return try transcript(from: cues)
    }

    /// Groups of consecutive non-blank lines.
    private static func blocks(of text: String) -> [[Substring]] {
        var blocks: [[Substring]] = []
        var current: [Substring] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { blocks.append(current) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks
    }

    private static func cues(in blocks: [[Substring]], style: CueText.Style) throws(TranscriptError) -> [Cue] {
        var cues: [Cue] = []
        var ordinal = 0
        for block in blocks {
            if style == .webVTT, isSkippedBlock(block[0]) { continue }
            ordinal += 1
            guard let timingIndex = block.prefix(2).firstIndex(where: { $0.contains("-->") }) else {
                throw TranscriptError(.malformed, "cue \(ordinal) has no timing line")
            }
            guard let timing = CueText.timing(block[timingIndex], style: style) else {
                throw TranscriptError(.malformed, "cue \(ordinal) has a malformed timing line")
            }
            let payload = CueText.payload(block[(timingIndex + 1)...])
            cues.append(Cue(ordinal: ordinal, timing: timing, payload: payload))
        }
        return cues
    }

    private static func isSkippedBlock(_ firstLine: Substring) -> Bool {
        ["NOTE", "STYLE", "REGION"].contains { keyword in
            guard firstLine.hasPrefix(keyword) else { return false }
            guard let next = firstLine.dropFirst(keyword.count).first else { return true }
            return next == " " || next == "\t"
        }
    }

    private static func transcript(from cues: [Cue]) throws(TranscriptError) -> Transcript {
        var names: [String] = []
        var keys: [String: String] = [:]
        var current: String?
        var drafts: [UtteranceDraft] = []
        for cue in cues {
            if let named = cue.payload.speaker {
                let key = named.lowercased()
                if keys[key] == nil {
                    guard names.count < 2 else {
                        throw TranscriptError(.tooManySpeakers, "cue \(cue.ordinal) introduces a third speaker")
                    }
                    keys[key] = named
                    names.append(named)
                }
                current = keys[key]
            }
            guard !cue.payload.text.isEmpty else { continue }
            guard let speaker = current else {
                throw TranscriptError(.missingSpeaker, "cue \(cue.ordinal) has no speaker and no earlier cue has one")
            }
            drafts.append(
                UtteranceDraft(
                    ordinal: cue.ordinal, speaker: speaker, start: cue.timing.start, end: cue.timing.end,
                    text: cue.payload.text, words: nil))
        }
        let roles = SpeakerRoleGuess.roles(for: names)
        let speakers = zip(names, roles).map { Speaker(id: $0, role: $1) }
        return try TranscriptValidator.transcript(speakers: speakers, drafts: drafts, noun: "cue")
    }
}

/// Roles for subtitle speaker names, which carry no explicit role.
///
/// A name containing `agent`, or a word `rep`, `reps` or `representative…`, is an agent; one containing
/// `customer`, `caller` or `client` is a customer. Names that match neither take the roles left over,
/// agent first, in order of first appearance.
enum SpeakerRoleGuess {
    static func roles(for names: [String]) -> [SpeakerRole] {
        let guessed = names.map(role(named:))
        var remaining = SpeakerRole.allCases.filter { !guessed.contains($0) }
        return guessed.map { guess in
            if let guess { return guess }
            return remaining.isEmpty ? .customer : remaining.removeFirst()
        }
    }

    static func role(named name: String) -> SpeakerRole? {
        let lower = name.lowercased()
        let words = Tokenizer.tokens(in: lower).tokens
        if lower.contains("agent") || words.contains(where: { $0 == "rep" || $0 == "reps" }) {
            return .agent
        }
        if words.contains(where: { $0.hasPrefix("representative") }) { return .agent }
        if ["customer", "caller", "client"].contains(where: lower.contains) { return .customer }
        return nil
    }
}

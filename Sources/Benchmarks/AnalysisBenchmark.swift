import CallCoachAnalysis
import Foundation

// `Benchmarks analysis`: the conversation metrics of a long call.

/// A deterministic pseudo-random source, so every run measures the same transcript.
struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func pick<Element>(_ elements: [Element]) -> Element { elements[Int(next() % UInt64(elements.count))] }
}

/// A 30-minute, two-party call of about 450 utterances with word timings, overlapping replies and
/// backchannels.
func syntheticTranscript() -> Transcript {
    let vocabulary = [
        "account", "bill", "thanks", "great", "problem", "cancel", "um", "you", "know", "payment", "service",
        "really", "not", "happy", "the", "a", "to", "and", "we", "can", "check", "that", "for", "order", "today",
    ]
    var random = SplitMix(state: 42)
    var utterances: [Utterance] = []
    var clock = 1.0
    var role = SpeakerRole.agent
    var lastEnd: [SpeakerRole: Double] = [.agent: 0, .customer: 0]
    while clock < 1790 && utterances.count < 450 {
        let speaker = role == .agent ? "agent" : "customer"
        let index = utterances.count
        if index % 9 == 4 {
            // A backchannel from the listener, spoken over the current turn.
            let start = max(clock - 1.2, lastEnd[role] ?? 0)
            utterances.append(timed(id: index, speaker: speaker, start: start, words: ["mm", "hmm"], random: &random))
            lastEnd[role] = utterances[index].end
            continue
        }
        let count = 6 + Int(random.next() % 10)
        var words = (0..<count).map { _ in random.pick(vocabulary) }
        if random.unit() < 0.2 { words[words.count - 1] += "?" }
        let pause = index % 25 == 0 ? 5.0 : 0.7 + random.unit() * 1.4
        let overlap = index % 7 == 3 ? 0.6 : -pause
        let start = max(clock - overlap, lastEnd[role] ?? 0)
        let utterance = timed(id: index, speaker: speaker, start: start, words: words, random: &random)
        utterances.append(utterance)
        lastEnd[role] = utterance.end
        clock = max(clock, utterance.end)
        role = role == .agent ? .customer : .agent
    }
    return Transcript(
        speakers: [Speaker(id: "agent", role: .agent), Speaker(id: "customer", role: .customer)],
        utterances: utterances.sorted { $0.start < $1.start })
}

func timed(id: Int, speaker: String, start: Double, words: [String], random: inout SplitMix) -> Utterance {
    var cursor = start
    var timed: [Word] = []
    for word in words {
        let length = 0.2 + random.unit() * 0.15
        timed.append(Word(text: word, start: cursor, end: cursor + length, confidence: 0.9))
        cursor += length + 0.03
    }
    return Utterance(
        id: "u\(id + 1)", speaker: speaker, start: start, end: cursor, text: words.joined(separator: " "),
        words: timed, loudness: 40 + random.unit() * 30)
}

/// The median time of analyzing a 30-minute, two-party transcript.
func analysisBenchmark() {
    let transcript = syntheticTranscript()
    let callDuration = 1800.0
    var samples: [Duration] = []
    var checksum = 0
    let clock = ContinuousClock()
    _ = ConversationAnalyzer.analyze(transcript, callDuration: callDuration)  // warm-up
    for _ in 0..<50 {
        let elapsed = clock.measure {
            checksum &+= ConversationAnalyzer.analyze(transcript, callDuration: callDuration).turns.count
        }
        samples.append(elapsed)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let report = ConversationAnalyzer.analyze(transcript, callDuration: callDuration)
    let milliseconds = Double(median.components.attoseconds) / 1e15 + Double(median.components.seconds) * 1000
    let words = report.agent.wordCount.value + report.customer.wordCount.value
    let lastEnd = transcript.utterances.map(\.end).max() ?? 0
    print("utterances: \(transcript.utterances.count), words: \(words), speech ends at \(Int(lastEnd)) s of 1800 s")
    print(
        "interruptions: \(report.interruptions.count.value), backchannels: \(report.turns.filter(\.backchannel).count)")
    print("analyze median over 50 runs: \((milliseconds * 1000).rounded() / 1000) ms (checksum \(checksum))")
}

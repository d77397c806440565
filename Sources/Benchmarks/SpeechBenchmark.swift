import CallCoachAnalysis
import CallCoachAudio
import CallCoachEmbeddings
import CallCoachServer
import CallCoachSpeech
import CallCoachTesting
import Foundation

// `Benchmarks asr`: word error rate and real-time factor of the embedded transcriber on real
// speech no one on the team wrote (Debian's pocketsphinx-testdata LibriVox utterances and the
// jfk.wav sample of whisper.cpp), at 16 kHz and through a telephone band, along the product's
// own path: decoding, resampling, voice activity, clips, whisper.cpp.
// `Benchmarks embeddings`: the sentence encoder's cost per 64-token sentence in batches.

let librivox = "/usr/share/pocketsphinx/test/data/librivox"

/// Lower case, punctuation gone, digits spelled out, "mr" as "mister": both sides alike.
func normalizedWords(_ text: String) -> [String] {
    let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    var words: [String] = []
    for raw in text.lowercased().split(whereSeparator: { $0.isWhitespace || $0 == "-" }) {
        let word = raw.filter { $0.isLetter || $0.isNumber || $0 == "'" }
        guard !word.isEmpty else { continue }
        if word.allSatisfy(\.isNumber) {
            words += word.compactMap { $0.wholeNumberValue.map { ones[$0] } }
        } else {
            words.append(word == "mr" ? "mister" : word == "mrs" ? "missus" : word)
        }
    }
    return words
}

/// Word-level edit distance.
func wordErrors(_ reference: [String], _ hypothesis: [String]) -> Int {
    var previous = Array(0...hypothesis.count)
    for (i, word) in reference.enumerated() {
        var current = [i + 1] + [Int](repeating: 0, count: hypothesis.count)
        for (j, heard) in hypothesis.enumerated() {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (word == heard ? 0 : 1))
        }
        previous = current
    }
    return previous[hypothesis.count]
}

func sox(_ arguments: [String]) throws {
    try runTool("sox", arguments)
}

struct Recording {
    let name: String
    let path: String
    let reference: String
}

/// The LibriVox utterances, jfk.wav, and a long file of all of them three times over.
func speechSet(models: String, scratch: String) throws -> [(String, [Recording])] {
    var utterances: [Recording] = []
    let lines = try String(contentsOfFile: librivox + "/transcription", encoding: .utf8).split(separator: "\n")
    for line in lines {
        guard let open = line.lastIndex(of: "("), let close = line.lastIndex(of: ")") else { continue }
        let id = String(line[line.index(after: open)..<close])
        let text = line[..<open].replacingOccurrences(of: "<s>", with: "").replacingOccurrences(of: "</s>", with: "")
        utterances.append(Recording(name: id, path: "\(librivox)/\(id).wav", reference: text))
    }
    let jfk = Recording(
        name: "jfk", path: models + "/samples/jfk.wav",
        reference:
            "and so my fellow americans ask not what your country can do for you ask what you can do for your country")
    let all = utterances + [jfk]
    let gap = scratch + "/gap.wav"
    try sox(["-n", "-r", "16000", "-c", "1", "-b", "16", gap, "trim", "0", "0.5"])
    var parts: [String] = []
    for _ in 0..<3 { for recording in all { parts += [recording.path, gap] } }
    let long = scratch + "/long.wav"
    try sox(parts + [long])
    let longRecording = Recording(
        name: "long", path: long,
        reference: Array(repeating: all.map(\.reference).joined(separator: " "), count: 3)
            .joined(separator: " "))
    // A two-party call: the same utterances as turns, alternating between the left and the
    // right channel, each party silent while the other speaks.
    let stereoGap = scratch + "/stereo-gap.wav"
    try sox(["-n", "-r", "16000", "-c", "2", "-b", "16", stereoGap, "trim", "0", "0.8"])
    var turns: [String] = []
    for (index, recording) in (0..<3).flatMap({ _ in all }).enumerated() {
        let turn = scratch + "/turn-\(index).wav"
        try sox([recording.path, "-c", "2", turn, "remix", index % 2 == 0 ? "1" : "0", index % 2 == 0 ? "0" : "1"])
        turns += [turn, stereoGap]
    }
    let call = scratch + "/call.wav"
    try sox(turns + [call])
    let callRecording = Recording(name: "call", path: call, reference: longRecording.reference)
    return [
        ("LibriVox", utterances), ("jfk.wav", [jfk]), ("long (all ×3)", [longRecording]),
        ("two-party call, stereo", [callRecording]),
    ]
}

/// 8 kHz, 300–3400 Hz, 8-bit μ-law: what a phone line leaves of the recording.
func telephone(_ recording: Recording, scratch: String) throws -> Recording {
    let path = scratch + "/\(recording.name)-8k.wav"
    try sox([recording.path, "-r", "8000", "-e", "u-law", path, "sinc", "300-3400"])
    return Recording(name: recording.name, path: path, reference: recording.reference)
}

func transcribe(_ recording: Recording, with model: WhisperModel, scratch: String) async throws -> (
    text: String, audio: Double, seconds: Double
) {
    let folder = scratch + "/pcm-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let started = ContinuousClock.now
    let prepared = try prepare(path: recording.path, channelMap: nil, pcmDirectory: folder)
    let transcript = try await ChannelTranscription(transcriber: WhisperTranscriber(model: model)).transcribe(prepared)
    let elapsed = started.duration(to: .now)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (transcript.utterances.map(\.text).joined(separator: " "), prepared.duration, seconds)
}

func speechBenchmark(threads: Int) async throws {
    let configuration = Configuration()
    let engines = Engines.shared(directory: configuration.modelsDirectory, threads: threads)
    guard FileManager.default.fileExists(atPath: librivox + "/transcription") else {
        print("needs Debian's pocketsphinx-testdata (make bench installs it)")
        exit(1)
    }
    let scratch = NSTemporaryDirectory() + "callcoach-asr-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let sets = try speechSet(models: configuration.modelsDirectory, scratch: scratch)
    print(
        "speech recognition, whisper.cpp 1.8.5, \(threads) threads, greedy; WER after normalisation, RTF = time ÷ audio"
    )
    print(
        "(the product's path: decode, resample to 16 kHz, voice activity, clips of at most 30 s; model load excluded)")
    for name in Engines.whisperModels {
        guard engines.isInstalled(name) else {
            print("\(name): not installed (scripts/install-speech --base installs base)")
            continue
        }
        let model = engines.whisperModel(name)
        let loadStarted = ContinuousClock.now
        try await model.load()
        print("\(name): loaded in \(loadStarted.duration(to: .now)), \(model.loadedBytes / 1_000_000) MB resident")
        for (setName, recordings) in sets {
            for band in ["16 kHz", "telephone 8 kHz"] {
                var errors = 0
                var words = 0
                var audio = 0.0
                var seconds = 0.0
                for recording in recordings {
                    let input = band == "16 kHz" ? recording : try telephone(recording, scratch: scratch)
                    let result = try await transcribe(input, with: model, scratch: scratch)
                    let reference = normalizedWords(recording.reference)
                    errors += wordErrors(reference, normalizedWords(result.text))
                    words += reference.count
                    audio += result.audio
                    seconds += result.seconds
                }
                let wer = 100 * Double(errors) / Double(max(1, words))
                let label = "  \(setName), \(band)".padding(toLength: 36, withPad: " ", startingAt: 0)
                print(
                    label
                        + String(
                            format: "WER %5.1f %% (%d/%d words)  RTF %.3f  (%.1f s audio)", wer, errors, words,
                            seconds / audio, audio))
            }
        }
    }
    print(String(format: "peak resident memory %.0f MB", Double(StreamedUpload.peakResidentBytes() ?? 0) / 1e6))
}

func embeddingBenchmark(sentences: Int) async throws {
    let configuration = Configuration()
    let loadStarted = ContinuousClock.now
    let directory = configuration.modelsDirectory + "/" + Engines.embeddingModel
    var encoder = try SentenceEncoder(directory: directory)
    print("all-MiniLM-L6-v2 on OpenBLAS: loaded in \(loadStarted.duration(to: .now))")
    let words = ["account", "refund", "payment", "the", "customer", "asked", "about", "billing", "and", "cancel"]
    var random = SplitMix(state: 7)
    let batch = (0..<sentences).map { _ in
        var pieces: [Int32] = []
        while pieces.count < 62 { pieces += encoder.tokenizer.pieces(of: random.pick(words)) }
        return [encoder.tokenizer.classify] + pieces.prefix(62) + [encoder.tokenizer.separator]
    }
    for threads in [1, 2] {
        // The server's setting is one OpenBLAS thread; two shows what a lone process could do.
        if threads > 1 { encoder = try SentenceEncoder(directory: directory, threads: threads) }
        _ = encoder.embed(tokens: Array(batch.prefix(32)))
        for size in [1, 8, 32] {
            let started = ContinuousClock.now
            _ = encoder.embed(tokens: batch, batchSize: size)
            let elapsed = started.duration(to: .now)
            let milliseconds =
                (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 1000
            print(
                String(
                    format: "%d OpenBLAS thread%@, batches of %2d: %6.2f ms per 64-token sentence (target under 25 ms)",
                    threads, threads == 1 ? " " : "s", size, milliseconds / Double(sentences)))
        }
    }
}

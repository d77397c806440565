import Foundation
import CallCoachTesting

/// Recordings made once per test run with espeak-ng, sox and lame, under `.build/audio-fixtures`.
///
/// The stereo call puts one voice on each channel at times chosen here, so the speech boundaries are
/// known to within sox's silence trimming:
///
///     left  (agent):    0.5 s ─ "Thank you for calling…" ─ leftSpeech.upperBound
///     right (customer): leftSpeech.upperBound + 1 s ─ first sentence ─ 1.5 s gap ─ second sentence ─ 0.5 s
///
/// Both channels carry white noise at about −65 dBFS so the noise floor is not digital zero.
struct Fixtures: Sendable {
    static let shared = Result { try Fixtures(directory: fixtureRoot()) }

    let directory: String
    let stereoWAV: String
    let stereoFLAC: String
    let stereoOgg: String
    let stereoMP3: String
    /// 8 kHz mono µ-law, band-limited to 300–3400 Hz, one sentence after 0.3 s of silence.
    let telephone: String
    let digitalSilence: String
    /// Steady pink noise at about −40 dBFS: loud, but not speech.
    let roomNoise: String
    let threeChannels: String
    let lowRate: String
    let zeroLength: String

    /// Where each voice speaks, in seconds.
    let leftSpeech: ClosedRange<Double>
    let rightSpeech: [ClosedRange<Double>]
    let telephoneSpeech: ClosedRange<Double>
    let stereoDuration: Double
    let telephoneDuration: Double

    var stereoFiles: [String] { [stereoWAV, stereoFLAC, stereoOgg, stereoMP3] }

    private init(directory: String) throws {
        self.directory = directory
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { "\(directory)/\(name)" }

        let agent = try Self.speak("Thank you for calling customer support", voice: "en-us", to: file("agent.wav"))
        let first = try Self.speak("Hi I have a problem with my last invoice", voice: "en+f3", to: file("c1.wav"))
        let second = try Self.speak("The amount is higher than usual", voice: "en+f3", to: file("c2.wav"))

        leftSpeech = 0.5...(0.5 + agent)
        let firstStart = leftSpeech.upperBound + 1.0
        let secondStart = firstStart + first + 1.5
        rightSpeech = [firstStart...(firstStart + first), secondStart...(secondStart + second)]
        stereoDuration = secondStart + second + 0.5

        try Self.sox([file("agent.wav"), file("left.wav"), "pad", "0.5", "\(stereoDuration - leftSpeech.upperBound)"])
        try Self.sox([file("c1.wav"), file("c1-padded.wav"), "pad", "\(firstStart)", "1.5"])
        try Self.sox([file("c1-padded.wav"), file("c2.wav"), file("right.wav"), "pad", "0", "0.5"])
        try Self.sox(["-M", file("left.wav"), file("right.wav"), file("clean.wav"), "rate", "-v", "44100"])
        try Self.sox([
            "-n", "-r", "44100", "-c", "2", file("noise.wav"), "synth", "\(stereoDuration)", "whitenoise", "vol",
            "0.001",
        ])
        stereoWAV = file("call.wav")
        try Self.sox(["-m", "-v", "1", file("clean.wav"), "-v", "1", file("noise.wav"), "-b", "16", stereoWAV])

        stereoFLAC = file("call.flac")
        stereoOgg = file("call.ogg")
        stereoMP3 = file("call.mp3")
        try Self.sox([stereoWAV, stereoFLAC])
        try Self.sox([stereoWAV, stereoOgg])
        try Self.run("lame", ["--quiet", "-b", "128", stereoWAV, stereoMP3])

        telephone = file("telephone.wav")
        telephoneSpeech = 0.3...(0.3 + agent)
        telephoneDuration = telephoneSpeech.upperBound + 0.7
        try Self.sox([
            file("agent.wav"), "-r", "8000", "-e", "u-law", telephone, "sinc", "300-3400", "pad", "0.3", "0.7",
        ])

        digitalSilence = file("silence.wav")
        roomNoise = file("room-noise.wav")
        threeChannels = file("three-channels.wav")
        lowRate = file("4khz.wav")
        zeroLength = file("zero-length.wav")
        try Self.sox(["-n", "-r", "16000", "-c", "1", "-b", "16", digitalSilence, "trim", "0", "3"])
        try Self.sox(["-n", "-r", "16000", "-c", "1", "-b", "16", roomNoise, "synth", "6", "pinknoise", "vol", "0.05"])
        try Self.sox(["-n", "-r", "8000", "-c", "3", threeChannels, "synth", "1", "sine", "440"])
        try Self.sox(["-n", "-r", "4000", "-c", "1", lowRate, "synth", "1", "sine", "440"])
        try Self.sox(["-n", "-r", "8000", "-c", "1", zeroLength, "trim", "0", "0"])
    }

    /// A fresh empty directory for one test's output.
    func scratchDirectory() throws -> String {
        let path = "\(directory)/out-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `bytes` to a new file in the fixture directory and returns its path.
    func write(_ bytes: [UInt8], named name: String) throws -> String {
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Speaks `text` into `path`, trims the leading and trailing silence, and returns the trimmed duration.
    private static func speak(_ text: String, voice: String, to path: String) throws -> Double {
        let raw = path + ".raw.wav"
        try run("espeak-ng", ["-v", voice, "-w", raw, text])
        try sox([raw, path, "silence", "1", "0.01", "1%", "reverse", "silence", "1", "0.01", "1%", "reverse"])
        return try duration(of: path)
    }

    static func duration(of path: String) throws -> Double {
        let text = try run("soxi", ["-D", path]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let seconds = Double(text) else { throw FixtureError(command: "soxi -D \(path)") }
        return seconds
    }

    /// Runs sox with its temporary files kept next to the fixtures.
    private static func sox(_ arguments: [String]) throws {
        try run("sox", ["--temp", fixtureRoot()] + arguments)
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        try runTool(tool, arguments)
    }

    /// `.build/audio-fixtures` in this package, found from this source file's location.
    private static func fixtureRoot() -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/audio-fixtures").path
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let command: String
    var description: String { "fixture command failed: \(command)" }
}

/// Deterministic noise bytes, so a failure can be reproduced.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 32)
    }
}

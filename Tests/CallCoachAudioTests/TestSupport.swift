import CallCoachAudio
import Foundation

/// A whole file decoded in one-second chunks.
struct DecodedFile {
    let sampleRate: Int
    let announcedFrames: Int?
    let channels: [[Float]]

    var duration: Double { Double(channels[0].count) / Double(sampleRate) }

    init(path: String) throws(AudioError) {
        let decoder = try AudioDecoder(path: path)
        var channels = [[Float]](repeating: [], count: decoder.channelCount)
        while let chunk = try decoder.read(maxFrames: decoder.sampleRate) {
            for index in chunk.indices { channels[index] += chunk[index] }
        }
        sampleRate = decoder.sampleRate
        announcedFrames = decoder.frameCount
        self.channels = channels
    }
}

/// The code of the ``AudioError`` a call threw, or `nil` if it succeeded or threw something else.
func audioError(_ body: () throws -> Void) -> AudioError.Code? {
    do {
        try body()
        return nil
    } catch {
        return (error as? AudioError)?.code
    }
}

func sineWave(frequency: Double, amplitude: Double, sampleRate: Int, seconds: Double) -> [Float] {
    (0..<Int(seconds * Double(sampleRate))).map {
        Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(sampleRate)))
    }
}

/// Resamples a signal in one call.
func resampleWhole(_ input: [Float], from rate: Int, to outputRate: Int = 16_000) -> [Float] {
    var resampler = Resampler(inputRate: rate, outputRate: outputRate)
    return resampler.process(input) + resampler.finish()
}

/// Amplitude of one frequency in a signal (Goertzel), relative to a full-scale sine = 1.
func toneAmplitude(_ signal: ArraySlice<Float>, frequency: Double, sampleRate: Int) -> Double {
    let omega = 2 * Double.pi * frequency / Double(sampleRate)
    var real = 0.0
    var imaginary = 0.0
    for (offset, sample) in signal.enumerated() {
        real += Double(sample) * cos(omega * Double(offset))
        imaginary -= Double(sample) * sin(omega * Double(offset))
    }
    return 2 * (real * real + imaginary * imaginary).squareRoot() / Double(signal.count)
}

func rising(_ signal: ArraySlice<Float>) -> Int {
    zip(signal, signal.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
}

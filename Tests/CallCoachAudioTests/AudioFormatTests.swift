import CallCoachAudio
import Foundation
import Testing

@Suite struct AudioFormatTests {
    @Test func sniffsEveryGeneratedFormat() throws {
        let fixtures = try Fixtures.shared.get()
        let expected: [(String, AudioFormat)] = [
            (fixtures.stereoWAV, .wav), (fixtures.stereoFLAC, .flac), (fixtures.stereoOgg, .ogg),
            (fixtures.stereoMP3, .mp3), (fixtures.telephone, .wav),
        ]
        for (path, format) in expected {
            let header = try Array(Data(contentsOf: URL(fileURLWithPath: path)).prefix(AudioFormat.sniffLength))
            #expect(AudioFormat.sniff(header) == format, "\(path)")
        }
    }

    @Test func sniffsBareMPEGFrameWithoutID3() {
        #expect(AudioFormat.sniff([0xFF, 0xFB, 0x90, 0x64]) == .mp3)  // MPEG-1 layer III, 128 kb/s
        #expect(AudioFormat.sniff([0xFF, 0xF3, 0x48, 0xC4]) == .mp3)  // MPEG-2 layer III
        #expect(AudioFormat.sniff(Array("ID3".utf8) + [4, 0]) == .mp3)
    }

    @Test func rejectsTextRandomBytesAndLookalikes() {
        #expect(AudioFormat.sniff(Array("Hello, this is a transcript, not audio.\n".utf8)) == nil)
        #expect(AudioFormat.sniff(pseudoRandomBytes(count: 64, seed: 42)) == nil)
        #expect(AudioFormat.sniff([]) == nil)
        #expect(AudioFormat.sniff(Array("RIFF\u{0}\u{0}\u{0}\u{0}AVI ".utf8)) == nil)
        #expect(AudioFormat.sniff(Array("RIFF".utf8)) == nil)
        #expect(AudioFormat.sniff([0xFF, 0xF1, 0x50, 0x80]) == nil)  // AAC in ADTS: layer bits 00
        #expect(AudioFormat.sniff([0xFF, 0xFB]) == nil)
    }
}

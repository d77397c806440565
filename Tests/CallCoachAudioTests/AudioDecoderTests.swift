import CallCoachAudio
import Foundation
import Testing

@Suite struct AudioDecoderTests {
    @Test(arguments: [AudioFormat.wav, .flac, .ogg, .mp3])
    func decodesStereoCallWithItsDuration(format: AudioFormat) throws {
        let fixtures = try Fixtures.shared.get()
        let path = fixtures.stereoFiles.first { $0.hasSuffix(".\(format.rawValue)") }!
        let decoded = try DecodedFile(path: path)

        #expect(decoded.channels.count == 2)
        #expect(decoded.channels[0].count == decoded.channels[1].count)
        #expect(decoded.sampleRate == 44_100)
        #expect(abs(decoded.duration - fixtures.stereoDuration) <= 0.050)
        #expect(decoded.announcedFrames == decoded.channels[0].count)
    }

    @Test func decodesEightKilohertzMuLawTelephoneCall() throws {
        let fixtures = try Fixtures.shared.get()
        let decoder = try AudioDecoder(path: fixtures.telephone)
        #expect(decoder.format == .wav)
        #expect(decoder.sampleRate == 8_000)
        #expect(decoder.channelCount == 1)

        let decoded = try DecodedFile(path: fixtures.telephone)
        #expect(abs(decoded.duration - fixtures.telephoneDuration) <= 0.050)
    }

    @Test func readsInChunksOfTheRequestedSize() throws {
        let decoder = try AudioDecoder(path: try Fixtures.shared.get().stereoWAV)
        let chunk = try #require(try decoder.read(maxFrames: 4_410))
        #expect(chunk.count == 2 && chunk[0].count == 4_410 && chunk[1].count == 4_410)
        #expect(decoder.framesRead == 4_410)
    }

    @Test func rejectsEmptyFile() throws {
        let path = try Fixtures.shared.get().write([], named: "empty.wav")
        #expect(audioError { _ = try AudioDecoder(path: path) } == .emptyFile)
    }

    @Test func rejectsTextAndRandomBytesAsUnsupported() throws {
        let fixtures = try Fixtures.shared.get()
        let text = try fixtures.write(Array("speaker: hello\n".utf8), named: "notes.txt")
        let noise = try fixtures.write(pseudoRandomBytes(count: 4_096, seed: 7), named: "noise.bin")
        #expect(audioError { _ = try AudioDecoder(path: text) } == .unsupportedFormat)
        #expect(audioError { _ = try AudioDecoder(path: noise) } == .unsupportedFormat)
    }

    @Test(arguments: ["RIFF\u{10}\u{0}\u{0}\u{0}WAVE", "fLaC", "OggS", "ID3"])
    func rejectsCorruptBodyBehindAValidMagic(magic: String) throws {
        let bytes = Array(magic.utf8) + pseudoRandomBytes(count: 8_192, seed: 99)
        let path = try Fixtures.shared.get().write(bytes, named: "corrupt-\(magic.prefix(4)).bin")
        let code = audioError { _ = try DecodedFile(path: path) }
        #expect(code == .corrupt || code == .truncated)
    }

    @Test func rejectsWAVCutInHalfWithItsOriginalHeader() throws {
        let fixtures = try Fixtures.shared.get()
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixtures.stereoWAV))
        let path = try fixtures.write(Array(whole.prefix(whole.count / 2)), named: "cut.wav")
        #expect(audioError { _ = try AudioDecoder(path: path) } == .truncated)
    }

    @Test(arguments: [AudioFormat.flac, .mp3])
    func rejectsCompressedFileCutInHalf(format: AudioFormat) throws {
        let fixtures = try Fixtures.shared.get()
        let source = fixtures.stereoFiles.first { $0.hasSuffix(".\(format.rawValue)") }!
        let whole = try Data(contentsOf: URL(fileURLWithPath: source))
        let path = try fixtures.write(Array(whole.prefix(whole.count / 2)), named: "cut.\(format.rawValue)")
        #expect(audioError { _ = try DecodedFile(path: path) } == .truncated)
    }

    @Test func rejectsThreeChannels() throws {
        let path = try Fixtures.shared.get().threeChannels
        #expect(audioError { _ = try AudioDecoder(path: path) } == .tooManyChannels)
        #expect(AudioError(.tooManyChannels).message.contains("more than 2 channels"))
    }

    @Test func rejectsSampleRateBelowEightKilohertz() throws {
        let path = try Fixtures.shared.get().lowRate
        #expect(audioError { _ = try AudioDecoder(path: path) } == .sampleRateOutOfRange)
    }

    @Test func rejectsFileWithNoFrames() throws {
        let path = try Fixtures.shared.get().zeroLength
        #expect(audioError { _ = try DecodedFile(path: path) } == .zeroLength)
    }

    @Test func rejectsMissingFile() throws {
        let path = try Fixtures.shared.get().directory + "/does-not-exist.wav"
        #expect(audioError { _ = try AudioDecoder(path: path) } == .unreadable)
    }
}

extension AudioDecoderTests {
    /// Ogg announces no length up front, so a cut Ogg file is a clean, shorter decode.
    @Test func decodesOggCutInHalfAsAShorterCall() throws {
        let fixtures = try Fixtures.shared.get()
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixtures.stereoOgg))
        let path = try fixtures.write(Array(whole.prefix(whole.count / 2)), named: "cut.ogg")
        let decoded = try DecodedFile(path: path)
        #expect(decoded.duration > 1 && decoded.duration < fixtures.stereoDuration - 1)
    }
}

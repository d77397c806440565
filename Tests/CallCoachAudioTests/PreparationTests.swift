import CallCoachAudio
import Foundation
import Testing

@Suite struct PreparationTests {
    @Test func writesOneSixteenKilohertzPCMFilePerChannelWithRolesFromTheMap() throws {
        let fixtures = try Fixtures.shared.get()
        let directory = try fixtures.scratchDirectory()
        let prepared = try prepare(path: fixtures.stereoWAV, channelMap: .agentRight, pcmDirectory: directory)

        #expect(prepared.format == .wav)
        #expect(!prepared.isMono)
        #expect(prepared.originalSampleRate == 44_100 && prepared.originalChannelCount == 2)
        #expect(abs(prepared.duration - fixtures.stereoDuration) <= 0.050)
        #expect(prepared.channels.map(\.role) == [.customer, .agent])
        for channel in prepared.channels {
            #expect(channel.pcmPath == "\(directory)/channel-\(channel.index)-\(channel.role.rawValue).s16le")
            #expect(abs(Double(channel.sampleCount) - prepared.duration * 16_000) <= 1)
            let size = try FileManager.default.attributesOfItem(atPath: channel.pcmPath)[.size] as? Int
            #expect(size == channel.sampleCount * 2)
        }
    }

    @Test func pcmHoldsTheSpeechAtItsTimes() throws {
        let fixtures = try Fixtures.shared.get()
        let prepared = try prepare(
            path: fixtures.stereoWAV, channelMap: nil, pcmDirectory: try fixtures.scratchDirectory())
        let right = try readPCM(prepared.channels[1].pcmPath)

        let speech = fixtures.rightSpeech[0]
        let during = right[Int(speech.lowerBound * 16_000)..<Int(speech.upperBound * 16_000)]
        let gap = right[Int((speech.upperBound + 0.2) * 16_000)..<Int((speech.upperBound + 1.3) * 16_000)]
        #expect(Loudness.level(of: during) > -35)
        #expect(Loudness.level(of: gap) < -60)
    }

    @Test func reportsMonoAsOneMixedChannel() throws {
        let fixtures = try Fixtures.shared.get()
        let prepared = try prepare(
            path: fixtures.telephone, channelMap: .agentLeft, pcmDirectory: try fixtures.scratchDirectory())
        #expect(prepared.isMono)
        #expect(prepared.originalSampleRate == 8_000)
        #expect(prepared.channels.map(\.role) == [.mixed])
        #expect(abs(Double(prepared.channels[0].sampleCount) - fixtures.telephoneDuration * 16_000) <= 16)
    }

    @Test func leavesNoPCMBehindWhenDecodingFails() throws {
        let fixtures = try Fixtures.shared.get()
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixtures.stereoFLAC))
        let cut = try fixtures.write(Array(whole.prefix(whole.count / 2)), named: "prepare-cut.flac")
        let directory = try fixtures.scratchDirectory()

        #expect(audioError { _ = try prepare(path: cut, channelMap: nil, pcmDirectory: directory) } == .truncated)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func failsWhenThePCMDirectoryIsMissing() throws {
        let fixtures = try Fixtures.shared.get()
        let directory = fixtures.directory + "/missing-directory"
        let code = audioError { _ = try prepare(path: fixtures.telephone, channelMap: nil, pcmDirectory: directory) }
        #expect(code == .outputFailed)
    }

    private func readPCM(_ path: String) throws -> [Float] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        return stride(from: 0, to: bytes.count - 1, by: 2).map { offset in
            let value = Int16(bitPattern: UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8)
            return Float(value) / 32_767
        }
    }
}

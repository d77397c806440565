import CallCoachAudio
import Foundation
import Testing

@Suite struct ChannelMapTests {
    @Test func readsBothOrders() throws {
        let forward = try ChannelMap(["left": "agent", "right": "customer"])
        let reversed = try ChannelMap(["left": "customer", "right": "agent"])
        #expect(forward == .agentLeft)
        #expect(forward.roles(channelCount: 2) == [.agent, .customer])
        #expect(reversed.roles(channelCount: 2) == [.customer, .agent])
    }

    @Test func decodesFromUploadJSON() throws {
        let json = Data(#"{"left":"customer","right":"agent"}"#.utf8)
        #expect(try JSONDecoder().decode(ChannelMap.self, from: json) == .agentRight)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ChannelMap.self, from: Data(#"{"left":"agent","right":"agent"}"#.utf8))
        }
    }

    @Test(arguments: [
        ["left": "agent", "right": "agent"], ["left": "agent"], ["left": "mixed", "right": "customer"],
        ["left": "agent", "right": "customer", "centre": "agent"], ["left": "Agent", "right": "customer"],
    ])
    func rejectsMapsWithoutOneAgentAndOneCustomer(object: [String: String]) {
        #expect(audioError { _ = try ChannelMap(object) } == .invalidChannelMap)
    }

    @Test func monoIsOneMixedChannel() {
        #expect(ChannelMap.agentRight.roles(channelCount: 1) == [.mixed])
    }
}

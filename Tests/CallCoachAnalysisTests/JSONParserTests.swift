import CallCoachAnalysis
import Testing

@Suite struct JSONParserTests {
    private let speakers = #"[{"id":"a1","role":"agent"},{"id":"c1","role":"customer"}]"#

    private func parse(_ utterances: String, speakers: String? = nil) throws(TranscriptError) -> Transcript {
        let json = #"{"speakers":\#(speakers ?? self.speakers),"utterances":[\#(utterances)]}"#
        return try TranscriptParser.parse(Fixtures.bytes(json), format: .json)
    }

    private func error(_ utterances: String, speakers: String? = nil) -> TranscriptError? {
        do {
            _ = try parse(utterances, speakers: speakers)
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidTranscriptParses() throws {
        let transcript = try parse(
            #"""
            {"speaker":"a1","start":0,"end":2.5,"text":"Hello there",
             "words":[{"text":"Hello","start":0.1,"end":0.6,"confidence":0.98},{"text":"there","start":0.7,"end":1.2}]},
            {"speaker":"c1","start":2,"end":4,"text":"Hi"},
            {"speaker":"a1","start":3,"end":5,"text":"How can I help?"}
            """#)
        #expect(transcript.utterances.map(\.id) == ["u1", "u2", "u3"])
        #expect(transcript.speakers == [Speaker(id: "a1", role: .agent), Speaker(id: "c1", role: .customer)])
        #expect(transcript.utterances[0].words?.count == 2)
        #expect(transcript.utterances[0].words?.first?.confidence == 0.98)
        #expect(transcript.utterances[1].words == nil)
        #expect(transcript.utterances[0].loudness == nil)
        #expect(transcript.role(of: transcript.utterances[1]) == .customer)
    }

    @Test func anEmptyTranscriptIsValid() throws {
        let transcript = try TranscriptParser.parse(Fixtures.bytes(#"{"speakers":[],"utterances":[]}"#), format: .json)
        #expect(transcript.utterances.isEmpty)
    }

    @Test func speakersMayShareARole() throws {
        let transcript = try parse(
            #"{"speaker":"a1","start":0,"end":1,"text":"x"},{"speaker":"a2","start":0.5,"end":2,"text":"y"}"#,
            speakers: #"[{"id":"a1","role":"agent"},{"id":"a2","role":"agent"}]"#)
        #expect(transcript.utterances.count == 2)
    }

    @Test func unknownFieldsAreRefusedWithoutEchoingThem() throws {
        let topLevel = #"{"speakers":[],"utterances":[],"secretExtra":1}"#
        #expect(throws: TranscriptError(.unknownField, "")) {
            try TranscriptParser.parse(Fixtures.bytes(topLevel), format: .json)
        }
        let inUtterance = error(#"{"speaker":"a1","start":0,"end":1,"text":"x","mySecretField":true}"#)
        #expect(inUtterance?.code == .unknownField)
        #expect(inUtterance?.message == "utterance 1 has a field the format does not define")
        let inWord = error(
            #"{"speaker":"a1","start":0,"end":1,"text":"x","words":[{"text":"x","start":0,"end":1,"z":1}]}"#)
        #expect(inWord?.message == "utterance 1, word 1 has a field the format does not define")
    }

    @Test func anUndeclaredSpeakerIsRefused() {
        let failure = error(#"{"speaker":"Jane Doe","start":0,"end":1,"text":"my card number is 4111"}"#)
        #expect(failure?.code == .undeclaredSpeaker)
        #expect(failure?.message == "utterance 1 names a speaker that is not declared")
        #expect(failure?.description.contains("Jane") == false)
        #expect(failure?.description.contains("4111") == false)
    }

    @Test func anEndBeforeItsStartIsRefused() {
        let failure = error(
            #"{"speaker":"a1","start":0,"end":1,"text":"x"},{"speaker":"c1","start":3,"end":2,"text":"y"}"#)
        #expect(failure?.code == .endBeforeStart)
        #expect(failure?.message == "utterance 2 ends before it starts")
    }

    @Test func backwardsTimesAreRefused() {
        let failure = error(
            #"""
            {"speaker":"a1","start":0,"end":1,"text":"x"},{"speaker":"c1","start":5,"end":6,"text":"y"},
            {"speaker":"a1","start":2,"end":3,"text":"z"}
            """#)
        #expect(failure?.code == .outOfOrder)
        #expect(failure?.message == "times run backwards: utterance 3 starts before utterance 2")
    }

    @Test func aSpeakerOverlappingItselfIsRefusedButCrossTalkIsNot() throws {
        let failure = error(
            #"{"speaker":"a1","start":0,"end":5,"text":"x"},{"speaker":"a1","start":4,"end":6,"text":"y"}"#)
        #expect(failure?.code == .selfOverlap)
        #expect(failure?.message == "speaker overlaps itself: utterance 2 starts before utterance 1 ends")
        let crossTalk = try parse(
            #"{"speaker":"a1","start":0,"end":5,"text":"x"},{"speaker":"c1","start":4,"end":6,"text":"y"}"#)
        #expect(crossTalk.utterances.count == 2)
    }

    @Test func wordsOutsideTheirUtteranceAreRefused() {
        let words = #"[{"text":"x","start":1,"end":1.5},{"text":"y","start":1.5,"end":2.4}]"#
        let failure = error(#"{"speaker":"a1","start":1,"end":2,"text":"x y","words":\#(words)}"#)
        #expect(failure?.code == .wordOutsideUtterance)
        #expect(failure?.message == "utterance 1, word 2 lies outside its utterance")
    }

    @Test func badNumbersAreRefused() {
        #expect(error(#"{"speaker":"a1","start":NaN,"end":1,"text":"x"}"#)?.code == .malformed)
        #expect(error(#"{"speaker":"a1","start":-1,"end":1,"text":"x"}"#)?.code == .invalidTime)
        #expect(error(#"{"speaker":"a1","start":0,"end":1e400,"text":"x"}"#)?.code == .malformed)
        #expect(error(#"{"speaker":"a1","start":"0","end":1,"text":"x"}"#)?.code == .invalidField)
        let confidence = error(
            #"{"speaker":"a1","start":0,"end":1,"text":"x","words":[{"text":"x","start":0,"end":1,"confidence":2}]}"#)
        #expect(confidence?.code == .invalidField)
    }

    @Test func timesBeyondTwelveHoursAreRefused() {
        let failure = error(#"{"speaker":"a1","start":0,"end":43200.5,"text":"x"}"#)
        #expect(failure?.code == .timeOutOfRange)
        #expect(error(#"{"speaker":"a1","start":0,"end":43200,"text":"x"}"#) == nil)
    }

    @Test func missingFieldsAndBadRolesAreRefused() {
        let missing = error(#"{"speaker":"a1","start":0,"text":"x"}"#)
        #expect(missing?.code == .invalidField)
        #expect(missing?.message == "utterance 1 lacks the required field \"end\"")
        #expect(error("", speakers: #"[{"id":"a1","role":"boss"}]"#)?.code == .invalidRole)
        #expect(
            error("", speakers: #"[{"id":"a1","role":"agent"},{"id":"a1","role":"customer"}]"#)?.code
                == .duplicateSpeaker)
        #expect(throws: TranscriptError(.invalidField, "")) {
            try TranscriptParser.parse(Fixtures.bytes(#"{"utterances":[]}"#), format: .json)
        }
        #expect(throws: TranscriptError(.malformed, "")) {
            try TranscriptParser.parse(Fixtures.bytes("[1,2]"), format: .json)
        }
    }

    @Test func limitsAreEnforced() {
        let long = String(repeating: "a", count: TranscriptLimits.maximumTextLength + 1)
        #expect(error(#"{"speaker":"a1","start":0,"end":1,"text":"\#(long)"}"#)?.code == .textTooLong)
        let many = Array(repeating: #"{"speaker":"a1","start":0,"end":0,"text":""}"#, count: 20_001)
        #expect(error(many.joined(separator: ","))?.code == .tooManyUtterances)
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Fixtures.bytes(#"{"speakers":[],"utterances":[]}"#)
        bytes.insert(0xFF, at: 5)
        #expect(throws: TranscriptError(.invalidEncoding, "")) {
            try TranscriptParser.parse(bytes, format: .json)
        }
        #expect(throws: TranscriptError(.invalidEncoding, "")) {
            try TranscriptParser.parse([0x57, 0x45, 0xC3, 0x28], format: .webVTT)
        }
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Fixtures.bytes(#"{"speakers":[],"utterances":[]}"#)
        #expect(try TranscriptParser.parse(bytes, format: .json).utterances.isEmpty)
    }
}

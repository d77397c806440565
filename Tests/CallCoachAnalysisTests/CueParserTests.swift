import CallCoachAnalysis
import Testing

@Suite struct CueParserTests {
    private func vtt(_ text: String) throws(TranscriptError) -> Transcript {
        try TranscriptParser.parse(Fixtures.bytes(text), format: .webVTT)
    }

    private func srt(_ text: String) throws(TranscriptError) -> Transcript {
        try TranscriptParser.parse(Fixtures.bytes(text), format: .srt)
    }

    private func failure(_ text: String, _ format: TranscriptFormat) -> TranscriptError? {
        do {
            _ = try TranscriptParser.parse(Fixtures.bytes(text), format: format)
            return nil
        } catch {
            return error
        }
    }

    @Test func voiceTagsNameTheSpeakers() throws {
        let transcript = try vtt(
            """
            WEBVTT

            00:00:01.000 --> 00:00:04.000
            <v Agent>Thanks for calling, how can I help?</v>

            00:00:04.500 --> 00:00:07.250 align:start position:10%
            <v Customer>My <b>internet</b> is
            down &amp; out.

            00:00:07.500 --> 00:00:09.000
            It keeps dropping.
            """)
        #expect(transcript.speakers == [Speaker(id: "Agent", role: .agent), Speaker(id: "Customer", role: .customer)])
        #expect(transcript.utterances.map(\.speaker) == ["Agent", "Customer", "Customer"])
        #expect(
            transcript.utterances.map(\.text) == [
                "Thanks for calling, how can I help?", "My internet is down & out.", "It keeps dropping.",
            ])
        #expect(transcript.utterances.map(\.start) == [1, 4.5, 7.5])
        #expect(transcript.utterances[1].end == 7.25)
        #expect(transcript.utterances.map(\.id) == ["u1", "u2", "u3"])
    }

    @Test func namePrefixesNoteStyleRegionBlocksAndIdentifiersAreHandled() throws {
        let transcript = try vtt(
            """
            WEBVTT - support call
            Kind: captions

            NOTE This comment mentions 00:00.000 --> 00:01.000
            and spans lines

            STYLE
            ::cue { color: red }

            REGION
            id:fred width:40%

            1
            00:01.000 --> 00:03.000 line:0
            Maria: Good morning, this is Maria.

            intro-2
            00:03.500 --> 00:06.000
            John: Hi Maria, I have a problem.

            01:00:06.000 --> 01:00:07.000
            <v.loud John>Still there?
            """)
        // No role words in the names: the first seen is the agent, the second the customer.
        #expect(transcript.speakers == [Speaker(id: "Maria", role: .agent), Speaker(id: "John", role: .customer)])
        #expect(
            transcript.utterances.map(\.text) == [
                "Good morning, this is Maria.", "Hi Maria, I have a problem.", "Still there?",
            ])
        #expect(transcript.utterances[2].start == 3606)
    }

    @Test func roleWordsBeatOrderOfAppearance() throws {
        let transcript = try vtt(
            """
            WEBVTT

            00:01.000 --> 00:02.000
            Bob: Hello?

            00:02.000 --> 00:03.000
            Support Rep: Hi Bob.
            """)
        #expect(transcript.speakers == [Speaker(id: "Bob", role: .customer), Speaker(id: "Support Rep", role: .agent)])
    }

    @Test func subripCuesParse() throws {
        let transcript = try srt(
            "1\r\n00:00:01,000 --> 00:00:03,000\r\nAGENT: Hello, you are through to support.\r\n\r\n"
                + "2\r\n00:00:03,500 --> 00:00:06,000 X1:10 X2:20\r\n"
                + "CALLER: <i>Hi</i>, my order\r\nnever arrived.\r\n\r\n"
                + "3\r\n00:00:06,500 --> 00:00:08,000\r\nagent: Let me check.\r\n")
        #expect(transcript.speakers == [Speaker(id: "AGENT", role: .agent), Speaker(id: "CALLER", role: .customer)])
        #expect(
            transcript.utterances.map(\.text) == [
                "Hello, you are through to support.", "Hi, my order never arrived.",
                "Let me check.",
            ])
        #expect(transcript.utterances.map(\.speaker) == ["AGENT", "CALLER", "AGENT"])
        #expect(transcript.utterances[1].start == 3.5)
    }

    @Test func aThirdSpeakerIsRefused() {
        let text = """
            WEBVTT

            00:01.000 --> 00:02.000
            <v Agent>Hi

            00:02.000 --> 00:03.000
            <v Customer>Hello

            00:03.000 --> 00:04.000
            <v Supervisor>Hi all
            """
        #expect(failure(text, .webVTT)?.code == .tooManySpeakers)
        #expect(failure(text, .webVTT)?.message == "cue 3 introduces a third speaker")
    }

    @Test func aFirstCueWithoutASpeakerIsRefused() {
        let failure = failure("WEBVTT\n\n00:01.000 --> 00:02.000\nhello there\n", .webVTT)
        #expect(failure?.code == .missingSpeaker)
        #expect(failure?.message.contains("hello") == false)
    }

    @Test func hugeTimestampsAreRefused() {
        let huge = "WEBVTT\n\n999999:00:00.000 --> 999999:00:01.000\n<v Agent>hi\n"
        #expect(failure(huge, .webVTT)?.code == .timeOutOfRange)
        let justOver = "1\n12:00:00,000 --> 12:00:00,001\nAgent: hi\n"
        #expect(failure(justOver, .srt)?.code == .timeOutOfRange)
        let tooManyDigits = "WEBVTT\n\n9999999:00:00.000 --> 9999999:00:01.000\n<v Agent>hi\n"
        #expect(failure(tooManyDigits, .webVTT)?.code == .malformed)
    }

    @Test func malformedFilesAreRefused() {
        #expect(
            failure("00:01.000 --> 00:02.000\n<v Agent>hi\n", .webVTT)?.message
                == "the file does not start with a WEBVTT header")
        #expect(failure("WEBVTT\n\n00:01.000 -> 00:02.000\n<v Agent>hi\n", .webVTT)?.code == .malformed)
        #expect(failure("WEBVTT\n\n00:01.00 --> 00:02.000\n<v Agent>hi\n", .webVTT)?.code == .malformed)
        // SRT needs hours and a comma.
        #expect(failure("1\n00:01.000 --> 00:02.000\nAgent: hi\n", .srt)?.code == .malformed)
        #expect(failure("1\n00:00:01.000 --> 00:00:02.000\nAgent: hi\n", .srt)?.code == .malformed)
    }

    @Test func cueOrderAndSelfOverlapFollowTheSharedRules() {
        let backwards = "WEBVTT\n\n00:05.000 --> 00:06.000\n<v Agent>a\n\n00:01.000 --> 00:02.000\n<v Agent>b\n"
        #expect(failure(backwards, .webVTT)?.message == "times run backwards: cue 2 starts before cue 1")
        let overlap = "WEBVTT\n\n00:01.000 --> 00:06.000\n<v Agent>a\n\n00:02.000 --> 00:03.000\n<v Agent>b\n"
        #expect(failure(overlap, .webVTT)?.code == .selfOverlap)
        let reversed = "1\n00:00:05,000 --> 00:00:04,000\nAgent: hi\n"
        #expect(failure(reversed, .srt)?.code == .endBeforeStart)
    }

    @Test func emptyCuesAreDroppedAndAnEmptyFileIsValid() throws {
        #expect(try vtt("WEBVTT\n").utterances.isEmpty)
        let transcript = try vtt("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent><i></i>\n\n00:02.000 --> 00:03.000\nhi\n")
        #expect(transcript.utterances.map(\.text) == ["hi"])
        #expect(transcript.utterances.map(\.speaker) == ["Agent"])
        #expect(transcript.utterances.map(\.id) == ["u1"])
    }

    @Test func speakerNamesMatchWithoutRegardToCase() throws {
        let transcript = try srt(
            "1\n00:00:01,000 --> 00:00:02,000\nAgent: hi\n\n2\n00:00:02,000 --> 00:00:03,000\nAGENT: yes\n")
        #expect(transcript.speakers.count == 1)
        #expect(transcript.utterances.map(\.speaker) == ["Agent", "Agent"])
    }

    @Test(arguments: [
        ("Client", "Representative", SpeakerRole.customer, SpeakerRole.agent),
        ("Caller 1", "Jane", .customer, .agent),
        ("Jane", "Tom", .agent, .customer),
        ("Agent Smith", "Agent Jones", .agent, .agent),
    ])
    func rolesFollowNames(first: String, second: String, firstRole: SpeakerRole, secondRole: SpeakerRole) throws {
        let transcript = try vtt(
            "WEBVTT\n\n00:01.000 --> 00:02.000\n<v \(first)>hi\n\n00:02.000 --> 00:03.000\n<v \(second)>hello\n")
        #expect(transcript.speakers.map(\.role) == [firstRole, secondRole])
    }

    @Test func aParsedSubtitleFileAnalyses() throws {
        let transcript = try vtt(
            """
            WEBVTT

            00:00.500 --> 00:04.000
            <v Agent>Thanks for calling, how can I help you today?

            00:04.200 --> 00:09.000
            <v Customer>My bill is wrong and I am really frustrated.

            00:06.000 --> 00:06.400
            <v Agent>mm-hmm
            """)
        let report = ConversationAnalyzer.analyze(transcript, callDuration: nil)
        // Agent 0.5–4 and 6–6.4: 3.5 + 0.4 = 3.9 s; customer 4.2–9: 4.8 s; the "mm-hmm" is no interruption.
        #expect(report.agent.talkTime.value == 3.9)
        #expect(report.customer.talkTime.value == 4.8)
        #expect(report.interruptions.count.value == 0)
        #expect(report.agent.questions.value == 1)
        #expect(report.turns.map(\.sentiment) == [.positive, .negative, .neutral])
    }
}

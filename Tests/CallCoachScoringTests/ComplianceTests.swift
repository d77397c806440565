import CallCoachAnalysis
import CallCoachScoring
import Foundation
import Testing

/// Each compliance rule with calls that must and must not trigger it.
@Suite struct ComplianceTests {
    /// A call of alternating agent and customer utterances, 5 s each.
    func call(_ lines: [String]) -> String {
        let utterances = lines.enumerated().map { index, line in
            #"{"speaker":"\#(index % 2 == 0 ? "a" : "c")","start":\#(index * 5),"end":\#(index * 5 + 4),"text":"\#(line)"}"#
        }
        return
            #"{"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],"utterances":[\#(utterances.joined(separator: ","))]}"#
    }

    func rules(_ pack: String, _ lines: [String], startedAt: Date? = nil, timeZone: String? = nil) throws -> Set<String>
    {
        try Set(findings(pack, lines, startedAt: startedAt, timeZone: timeZone).map(\.ruleID))
    }

    func findings(
        _ pack: String, _ lines: [String], startedAt: Date? = nil, timeZone: String? = nil, prior: [PriorCall] = []
    ) throws
        -> [Finding]
    {
        let parsed = try TranscriptParser.parse(Array(call(lines).utf8), format: .json)
        let (transcript, redactions) = Redactor.redact(parsed, health: pack == "hipaa-identifiers")
        let context = CallContext(
            transcript: transcript, report: ConversationAnalyzer.analyze(transcript, callDuration: nil),
            redactions: redactions, startedAt: startedAt, timeZone: timeZone, priorCalls: prior)
        let found = CompliancePacks.findings(
            try #require(CompliancePacks.pack(pack)), with: RuleEvaluator(context: context),
            now: Date(timeIntervalSince1970: 0))
        for finding in found {
            #expect(finding.evidence.allSatisfy { $0.isVerified(in: transcript, duration: context.duration) })
        }
        return found
    }

    @Test func everyPackParses() {
        #expect(
            CompliancePacks.all.map(\.id) == [
                "pci-dss", "recording-disclosure", "fdcpa-regf", "tcpa", "hipaa-identifiers",
            ])
        #expect(CompliancePacks.all.allSatisfy { !$0.rules.isEmpty && $0.version == 1 })
    }

    @Test func pci() throws {
        let card = try rules("pci-dss", ["What is the card number?", "It is 4111 1111 1111 1111 and the CVV is 123."])
        #expect(card == ["card-number-spoken", "security-code-spoken", "payment-without-pause"])
        let paused = try rules(
            "pci-dss",
            [
                "I will pause the recording now.",
                "It is four one one one one one one one one one one one one one one one.",
            ])
        #expect(paused == ["card-number-spoken"])
        #expect(try rules("pci-dss", ["Your order number is 1234 5678 9012 3456.", "Thanks."]).isEmpty, "fails Luhn")
        let evidence = try findings("pci-dss", ["Card?", "4111 1111 1111 1111"]).first?.evidence.first
        #expect(evidence?.text == "[card number]" && evidence?.utteranceID == "u2")
    }

    @Test func recordingDisclosure() throws {
        #expect(try rules("recording-disclosure", ["Hello, this call may be recorded.", "Okay."]).isEmpty)
        #expect(try rules("recording-disclosure", ["Hello, how can I help?", "Hi."]) == ["disclosure-missing"])
        let late = ["Hello.", "Hi.", "So.", "Yes.", "Well.", "Right.", "Ok.", "By the way this call may be recorded."]
        #expect(try rules("recording-disclosure", late) == ["disclosure-missing"], "said at 35 s, after the window")
        #expect(
            try rules("recording-disclosure", ["This call is being recorded.", "Please don't record this call."])
                == ["customer-objects"])
    }

    @Test func fdcpa() throws {
        let proper = [
            "Hi, am I speaking with Sam Lee?", "Yes.",
            "This is an attempt to collect a debt and any information obtained will be used for that purpose.", "Okay.",
            "Your balance is 200 dollars.", "I can pay next week.",
        ]
        #expect(try rules("fdcpa-regf", proper).isEmpty)
        let early = [
            "Your balance is 200 dollars. Am I speaking with Sam?", "Yes.", "This is an attempt to collect a debt.",
            "Ok.",
        ]
        #expect(try rules("fdcpa-regf", early) == ["debt-before-verification"])
        let unverified = ["This is an attempt to collect a debt. You owe 200 dollars.", "Ok."]
        #expect(try rules("fdcpa-regf", unverified) == ["debt-before-verification"])
        #expect(try rules("fdcpa-regf", ["Am I speaking with Sam?", "Yes."]) == ["mini-miranda-missing"])
        let threat = proper + ["If you don't pay we will have you arrested.", "What?"]
        #expect(try rules("fdcpa-regf", threat) == ["threat-or-false-statement"])
        let dispute = try findings(
            "fdcpa-regf", proper + ["Anything else?", "I dispute this, it is not my debt. Stop calling me."])
        #expect(Set(dispute.map(\.ruleID)) == ["dispute-request", "cease-request"])
        #expect(
            dispute.first { $0.ruleID == "dispute-request" }?.followUpDue
                == Date(timeIntervalSince1970: 5 * 86_400 + 2 * 86_400), "5 business days from a Thursday")
        #expect(try rules("fdcpa-regf", proper + ["Call me tomorrow.", "Sure."]).isEmpty)
    }

    @Test func regulationFCountsCallsAcrossCalls() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let proper = [
            "Hi, am I speaking with Sam Lee?", "Yes.",
            "This is an attempt to collect a debt and any information obtained will be used for that purpose.", "Ok.",
        ]
        func rules(_ prior: [PriorCall]) throws -> Set<String> {
            try Set(findings("fdcpa-regf", proper, startedAt: now, prior: prior).map(\.ruleID))
        }
        let day = 86_400.0
        let unanswered = (1...7).map {
            PriorCall(startedAt: now.addingTimeInterval(-Double($0) * day + 60), conversation: false)
        }
        #expect(try rules(unanswered) == ["call-frequency"], "the eighth call in seven days")
        #expect(try rules(Array(unanswered.prefix(6))).isEmpty, "the seventh is allowed")
        #expect(
            try rules(
                [PriorCall(startedAt: now.addingTimeInterval(-8 * day), conversation: false)] + unanswered.prefix(6)
            ).isEmpty)
        let talked = [PriorCall(startedAt: now.addingTimeInterval(-3 * day), conversation: true)]
        #expect(try rules(talked) == ["call-after-conversation"])
        let evidence = try findings("fdcpa-regf", proper, startedAt: now, prior: talked).first?.evidence.first?.text
        #expect(evidence == "a conversation with this consumer 72 hours before this call")
        #expect(try rules([PriorCall(startedAt: now.addingTimeInterval(-8 * day), conversation: true)]).isEmpty)
        #expect(
            try Set(findings("fdcpa-regf", proper, prior: talked).map(\.ruleID)).isEmpty, "no start time: no judgement")
    }

    @Test func tcpa() throws {
        let good = ["Hi, my name is Dana calling from Acme.", "Hello."]
        // 2026-12-04 02:30 UTC is 21:30 the day before in New York: too late; 14:00 UTC is 09:00 there.
        let late = Date(timeIntervalSince1970: 1_796_351_400)
        let morning = Date(timeIntervalSince1970: 1_796_392_800)
        #expect(try rules("tcpa", good, startedAt: late, timeZone: "America/New_York") == ["outside-calling-hours"])
        #expect(try rules("tcpa", good, startedAt: morning, timeZone: "America/New_York").isEmpty)
        #expect(
            try rules("tcpa", good, startedAt: morning, timeZone: "Asia/Tokyo") == ["outside-calling-hours"],
            "23:00 in Tokyo")
        #expect(try rules("tcpa", good).isEmpty, "no start time or zone in the metadata: nothing to judge")
        #expect(try rules("tcpa", ["Hello there, great offer today.", "Hi."]) == ["identification-missing"])
        let optOut = try findings("tcpa", good + ["Would you like to hear more?", "Please take me off your list."])
        #expect(optOut.map(\.ruleID) == ["opt-out-request"])
        #expect(optOut.first?.followUpDue == CompliancePacks.addingBusinessDays(10, to: Date(timeIntervalSince1970: 0)))
    }

    @Test func hipaa() throws {
        #expect(
            try rules("hipaa-identifiers", ["Your social security number?", "It is 123 45 6789."]) == ["ssn-spoken"])
        #expect(
            try rules("hipaa-identifiers", ["Your member ID please.", "My member ID is 55512345."])
                == ["medical-record-number"])
        #expect(
            try rules("hipaa-identifiers", ["Date of birth?", "My date of birth is 4 12 1980."]) == ["date-of-birth"])
        #expect(
            try rules("hipaa-identifiers", ["How can I help?", "I need a refill of my prescription."]) == [
                "diagnosis-discussed"
            ])
        #expect(try rules("hipaa-identifiers", ["How can I help?", "My order is late."]).isEmpty)
    }

    @Test func businessDaysSkipWeekends() {
        // 1970-01-01 was a Thursday.
        let thursday = Date(timeIntervalSince1970: 0)
        #expect(CompliancePacks.addingBusinessDays(1, to: thursday) == Date(timeIntervalSince1970: 86_400))
        #expect(CompliancePacks.addingBusinessDays(2, to: thursday) == Date(timeIntervalSince1970: 4 * 86_400))
        #expect(CompliancePacks.addingBusinessDays(10, to: thursday) == Date(timeIntervalSince1970: 14 * 86_400))
    }
}

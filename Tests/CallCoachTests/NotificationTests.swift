import CallCoachCore
import CallCoachHTTP
@testable import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

/// A company's notification policy: read and set by those the policy lets, checked strictly,
/// audited, and obeyed by the pipeline and by disputes.
@Suite struct NotificationTests {
    /// A call whose agent never says it is recorded: a high finding of the disclosure pack.
    static let undisclosedCall = #"""
        {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
         "utterances":[
          {"speaker":"a","start":0.0,"end":3.0,"text":"Hello, how can I help?"},
          {"speaker":"c","start":3.5,"end":7.0,"text":"My order never arrived."},
          {"speaker":"a","start":7.5,"end":11.0,"text":"I am sorry, I will send it again today."}
         ]}
        """#

    func mail(_ fixture: TenancyFixture) async throws -> [String] {
        try await fixture.server.deliverMail()
        let directory = fixture.server.directory.file("outbox")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.sorted().map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
    }

    func recipients(_ messages: [String], subject: String) -> Set<String> {
        Set(
            messages.filter { $0.contains(subject) }.compactMap { message in
                message.split(separator: "\r\n").first { $0.hasPrefix("To: ") }.map { String($0.dropFirst(4)) }
            })
    }

    @Test func thePolicyIsReadSetCheckedAndAudited() async throws {
        let fixture = try await TenancyFixture.quiet()
        let path = "/api/v1/companies/\(fixture.companyA)/notification-policy"
        let defaults = try object(await fixture.send(.get, path, as: "adminA"))
        #expect(defaults["findingSeverity"] as? String == "high")
        #expect(defaults["disputes"] as? Bool == true)
        #expect(defaults["evaluations"] as? Bool == false)
        for actor in ["agentA", "managerA"] {
            #expect(await fixture.send(.get, path, as: actor).status == 403, "\(actor)")
        }
        #expect(await fixture.send(.get, path, as: "adminB").status == 404)
        for bad in [
            #"{"findingSeverity":"loud","disputes":true,"evaluations":false}"#,
            #"{"findingSeverity":"high","disputes":1,"evaluations":false}"#,
            #"{"findingSeverity":"high","disputes":true}"#,
            #"{"findingSeverity":"high","disputes":true,"evaluations":false,"plan":"enterprise"}"#,
        ] {
            #expect(await fixture.send(.put, path, as: "adminA", json: bad).status == 400, "\(bad)")
        }
        let set = await fixture.send(
            .put, path, as: "adminA", json: #"{"findingSeverity":"critical","disputes":false,"evaluations":true}"#)
        #expect(set.status == 200)
        #expect(try object(await fixture.send(.get, path, as: "adminA"))["findingSeverity"] as? String == "critical")
        let audit = try object(
            await fixture.send(
                .get, "/api/v1/companies/\(fixture.companyA)/audit-log?action=notification_policy.changed",
                as: "adminA"))
        #expect((audit["events"] as? [Any])?.count == 1)
    }

    @Test func findingsAndDisputesMailTheirReviewersAsThePolicySays() async throws {
        let fixture = try await TenancyFixture.quiet()
        let forAgentA = UploadPart.metadata(#"{"agentId":"\#(fixture.users["agentA"]!)"}"#)
        let first = await fixture.upload([forAgentA, .transcript(Self.undisclosedCall)], as: "managerA")
        #expect(first.status == 202)
        try await fixture.server.drainQueue()
        let messages = try await mail(fixture)
        let subject = "compliance findings on a call"
        // The agent's manager and the company's admins; not the agent, not another company.
        #expect(
            recipients(messages, subject: subject) == [
                "managera@example.com", "admina@example.com", "admina2@example.com",
            ])
        let finding = try #require(messages.first { $0.contains(subject) })
        #expect(finding.contains("No recording disclosure"))
        #expect(!finding.contains("order never arrived"), "no words from the call leave by e-mail")
        #expect(finding.contains("/companies/\(fixture.companyA)/calls/"))

        // Raised to critical only, and agents told of scored calls: a second such call mails nobody.
        let policy = "/api/v1/companies/\(fixture.companyA)/notification-policy"
        #expect(
            await fixture.send(
                .put, policy, as: "adminA", json: #"{"findingSeverity":"critical","disputes":true,"evaluations":true}"#
            ).status == 200)
        #expect(await fixture.upload([forAgentA, .transcript(Self.undisclosedCall)], as: "managerA").status == 202)
        try await fixture.server.drainQueue()
        #expect(
            try await mail(fixture).filter { $0.contains(subject) }.count
                == messages.filter { $0.contains(subject) }.count)

        // A dispute mails the managers of the agent's teams.
        let activate = await fixture.send(
            .patch, "/api/v1/companies/\(fixture.companyA)/scorecards/\(fixture.scorecardA)", as: "adminA",
            json: #"{"active":true}"#)
        #expect(activate.status == 200)
        let scored = await fixture.upload([forAgentA, .transcript(sampleTranscript)], as: "managerA")
        let callID = try #require(try object(scored)["id"] as? String)
        try await fixture.server.drainQueue()
        let scoredMail = try await mail(fixture).filter { $0.contains("your call has been scored") }
        #expect(scoredMail.count == 1, "the scored call's agent hears of it, once")
        #expect(recipients(scoredMail, subject: "your call has been scored") == ["agenta@example.com"])
        let dispute = await fixture.send(
            .post,
            "/api/v1/companies/\(fixture.companyA)/calls/\(callID)/evaluations/\(fixture.scorecardA)/disputes",
            as: "agentA", json: #"{"criterionId":"greeting","reason":"I did greet them"}"#)
        #expect(dispute.status == 200)
        #expect(recipients(try await mail(fixture), subject: "an evaluation is disputed") == ["managera@example.com"])
    }
}

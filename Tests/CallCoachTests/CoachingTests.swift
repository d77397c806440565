import CallCoachHTTP
@testable import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

@Suite struct CoachingTests {
    @Test func commentsAtAMomentAndCoachingAssignmentsFollowThePolicy() async throws {
        let fixture = try await TenancyFixture.quiet()
        let metadata = UploadPart.metadata(#"{"agentId":"\#(fixture.users["agentA"]!)","teamId":"\#(fixture.teamA1)"}"#)
        let callID = try #require(
            try object(await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let comments = fixture.callsPath("/\(callID)/comments")

        let added = await fixture.send(
            .post, comments, as: "managerA", json: #"{"at":9.5,"text":"Good apology here."}"#)
        #expect(added.status == 201, "\(added.bodyText)")
        #expect(await fixture.send(.post, comments, as: "agentA", json: #"{"at":18,"text":"Thanks!"}"#).status == 201)
        #expect(await fixture.send(.post, comments, as: "agentA2", json: #"{"at":1,"text":"x"}"#).status == 404)
        #expect(await fixture.send(.post, comments, as: "managerA", json: #"{"at":-1,"text":"x"}"#).status == 400)
        #expect(await fixture.send(.post, comments, as: "managerA", json: #"{"at":999,"text":"x"}"#).status == 400)
        #expect(await fixture.send(.post, comments, as: "managerA", json: #"{"at":1,"text":"  "}"#).status == 400)
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(await fixture.send(.get, comments, as: "agentA").body))
                as? [[String: Any]])
        #expect(list.compactMap { $0["at"] as? Double } == [9.5, 18], "in call order")

        let base = "/api/v1/companies/\(fixture.companyA)/coaching-assignments"
        let body = #"{"callId":"\#(callID)","criteria":["empathy"],"note":"Listen before solving."}"#
        #expect(await fixture.send(.post, base, as: "agentA", json: body).status == 403)
        let assigned = await fixture.send(.post, base, as: "managerA", json: body)
        #expect(assigned.status == 201, "\(assigned.bodyText)")
        let id = try #require(try object(assigned)["id"] as? String)
        #expect(try object(assigned)["agentId"] as? String == fixture.users["agentA"])
        #expect(
            await fixture.send(.post, base, as: "managerA", json: #"{"callId":"\#(callID)","criteria":[]}"#).status
                == 400)

        let mine = try #require(
            try JSONSerialization.jsonObject(with: Data(await fixture.send(.get, base, as: "agentA").body)) as? [Any])
        #expect(mine.count == 1)
        let others = try #require(
            try JSONSerialization.jsonObject(with: Data(await fixture.send(.get, base, as: "agentA2").body)) as? [Any])
        #expect(others.isEmpty, "another agent sees none of it")
        #expect(await fixture.send(.post, base + "/\(id)/done", as: "agentA2").status == 404)
        let done = await fixture.send(.post, base + "/\(id)/done", as: "agentA")
        #expect(done.status == 200, "\(done.bodyText)")
        #expect(try object(done)["doneAt"] != nil)
        #expect(await fixture.send(.post, base + "/\(id)/done", as: "agentA").status == 400, "once")
        let audit = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/audit-log", as: "adminA").bodyText
        for action in ["comment.added", "coaching.assigned", "coaching.done"] { #expect(audit.contains(action)) }
    }
}

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
        let list = try objects(await fixture.send(.get, comments, as: "agentA"))
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

    @Test func calibrationIsBlindUntilEveryGraderHasScored() async throws {
        let fixture = try await TenancyFixture.quiet()
        let companyBase = "/api/v1/companies/\(fixture.companyA)"
        let definition = #"""
            {"definition":{"name":"Calibrate","sections":[{"id":"s","title":"S","criteria":[
              {"id":"hello","question":"Hello?","weight":50,"kind":"rule","rule":{"phrase":"hello"}},
              {"id":"refund","question":"Refund?","weight":30,"kind":"rule","rule":{"phrase":"refund"}},
              {"id":"tone","question":"Tone?","weight":20,"answer":{"scale":5},"kind":"manual"}]}]}}
            """#
        let card = try #require(
            try object(await fixture.send(.post, companyBase + "/scorecards", as: "adminA", json: definition))["id"]
                as? String)
        let metadata = UploadPart.metadata(#"{"agentId":"\#(fixture.users["agentA"]!)","teamId":"\#(fixture.teamA1)"}"#)
        let callID = try #require(
            try object(await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()

        let graders = ["managerA", "adminA", "adminA2"].map { fixture.users[$0]! }
        func start(_ ids: [String], as actor: String) async -> Response {
            let list = ids.map { "\"\($0)\"" }.joined(separator: ",")
            return await fixture.send(
                .post, companyBase + "/calibrations", as: actor,
                json: #"{"callId":"\#(callID)","scorecardId":"\#(card)","graders":[\#(list)]}"#)
        }
        #expect(await start(graders, as: "agentA").status == 403)
        #expect(
            await start([graders[0], fixture.users["agentA2"]!], as: "managerA").status == 400,
            "agentA2 cannot read the call")
        #expect(await start([graders[0], graders[0]], as: "managerA").status == 400)
        let created = await start(graders, as: "managerA")
        #expect(created.status == 201, "\(created.bodyText)")
        let id = try #require(try object(created)["id"] as? String)
        let path = companyBase + "/calibrations/\(id)"

        func submit(_ actor: String, _ answers: String) async -> Response {
            await fixture.send(.post, path + "/scores", as: actor, json: #"{"answers":\#(answers)}"#)
        }
        #expect(await submit("managerA", #"{"hello":"yes","refund":"no"}"#).status == 400, "every criterion")
        #expect(await submit("managerA", #"{"hello":"yes","refund":"no","tone":"9"}"#).status == 400)
        #expect(await submit("managerA", #"{"hello":"yes","refund":"no","tone":"4"}"#).status == 200)
        #expect(await submit("managerA", #"{"hello":"yes","refund":"no","tone":"4"}"#).status == 400, "once")
        #expect(await submit("agentA", #"{"hello":"yes","refund":"no","tone":"4"}"#).status == 404)
        let blind = try object(await fixture.send(.get, path, as: "adminA"))
        #expect(blind["complete"] as? Bool == false && (blind["scores"] as? [String: Any])?.isEmpty == true)
        #expect(blind["submitted"] as? [String] == [graders[0]])
        #expect(await submit("adminA", #"{"hello":"yes","refund":"yes","tone":"4"}"#).status == 200)
        #expect(await submit("adminA2", #"{"hello":"yes","refund":"no","tone":"2"}"#).status == 200)

        let done = try object(await fixture.send(.get, path, as: "managerA"))
        #expect(done["complete"] as? Bool == true && (done["scores"] as? [String: Any])?.count == 3)
        let result = try #require(done["result"] as? [String: Any])
        let consensus = (result["consensus"] as? [[String: Any]])?.compactMap { $0["value"] as? String }
        #expect(consensus == ["yes", "no", "4"])
        let alignment = Dictionary(
            uniqueKeysWithValues: ((result["graders"] as? [[String: Any]]) ?? []).map {
                ($0["grader"] as! String, $0["alignment"] as! Double)
            })
        #expect(alignment == [graders[0]: 1, graders[1]: 0.667, graders[2]: 0.667])
        #expect(result["automatic"] as? Double == 0.333, "automatic: hello no, refund no, tone unanswered")
        #expect(await fixture.send(.get, path, as: "agentA2").status == 404)
    }
}

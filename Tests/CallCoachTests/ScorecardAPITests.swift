import CallCoachHTTP
import CallCoachScoring
@testable import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

/// A collections call as a transcript upload: identification, right-party check, mini-Miranda.
let collectionsTranscript = #"""
    {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
     "utterances":[
      {"speaker":"a","start":0.0,"end":7.0,"text":"Hello, my name is Dana, calling from Acme Recovery. Am I speaking with Sam Lee?"},
      {"speaker":"c","start":7.5,"end":9.0,"text":"Yes, this is Sam."},
      {"speaker":"a","start":9.5,"end":16.0,"text":"This is an attempt to collect a debt and any information obtained will be used for that purpose."},
      {"speaker":"c","start":16.5,"end":20.0,"text":"I can pay fifty dollars next week."},
      {"speaker":"a","start":20.5,"end":25.0,"text":"Thank you, I will note that. Have a good day."}
     ]}
    """#

@Suite struct ScorecardAPITests {
    func base(_ fixture: TenancyFixture) -> String { "/api/v1/companies/\(fixture.companyA)" }

    @Test func scorecardsAreCreatedEditedIntoVersionsAndAudited() async throws {
        let fixture = try await TenancyFixture.quiet()
        let templates = try objects(await fixture.send(.get, base(fixture) + "/scorecard-templates", as: "adminA"))
        #expect(templates.compactMap { $0["id"] as? String }.contains("collections-fdcpa"))

        let created = await fixture.send(
            .post, base(fixture) + "/scorecards", as: "adminA", json: #"{"template":"collections-fdcpa"}"#)
        #expect(created.status == 201, "\(created.bodyText)")
        let id = try #require(try object(created)["id"] as? String)
        #expect(try object(created)["version"] as? Int == 1 && object(created)["active"] as? Bool == true)
        #expect(
            await fixture.send(
                .post, base(fixture) + "/scorecards", as: "agentA", json: #"{"template":"sales-discovery"}"#
            ).status == 403)

        // An edit is a new version; the old one is kept.
        let definition = ScorecardTemplates.all[0].json
        let change = #"{"definition":\#(definition)}"#
        #expect(
            await fixture.send(.put, base(fixture) + "/scorecards/\(id)", as: "managerA", json: change).status == 403)
        let edited = await fixture.send(.put, base(fixture) + "/scorecards/\(id)", as: "adminA", json: change)
        #expect(edited.status == 200, "\(edited.bodyText)")
        let view = try object(await fixture.send(.get, base(fixture) + "/scorecards/\(id)", as: "agentA"))
        #expect(view["version"] as? Int == 2 && view["versions"] as? [Int] == [2, 1])
        #expect(view["name"] as? String == "Customer support QA")
        #expect(((view["definition"] as? [String: Any])?["sections"] as? [Any])?.count == 3)
        let off = await fixture.send(
            .patch, base(fixture) + "/scorecards/\(id)", as: "adminA", json: #"{"active":false}"#)
        #expect(try object(off)["active"] as? Bool == false)

        let audit = await fixture.send(.get, base(fixture) + "/audit-log", as: "adminA").bodyText
        for action in ["scorecard.created", "scorecard.edited", "scorecard.deactivated"] {
            #expect(audit.contains(action), "\(action)")
        }
        // Another company's members do not learn it exists.
        let other = "/api/v1/companies/\(fixture.companyB)/scorecards/\(id)"
        #expect(await fixture.send(.get, other, as: "adminB").status == 404)
        #expect(await fixture.send(.get, base(fixture) + "/scorecards/\(id)", as: "adminB").status == 404)
    }

    @Test func badScorecardsAreRefusedWithTheirPositionAndNothingIsSaved() async throws {
        let fixture = try await TenancyFixture.quiet()
        let before =
            try JSONSerialization.jsonObject(
                with: Data(await fixture.send(.get, base(fixture) + "/scorecards", as: "adminA").body)) as? [Any]
        let bodies: [(String, String)] = [
            (#"{"template":"nope"}"#, "The template must be one of"),
            (
                #"{"definition":{"name":"x","sections":[{"id":"s","title":"S","criteria":[{"id":"a","question":"q","weight":100,"kind":"rule","rule":{"frase":"hi"}}]}]}}"#,
                "$.sections[0].criteria[0].rule: unknown operator"
            ),
            (
                #"{"definition":{"name":"x","sections":[{"id":"s","title":"S","criteria":[{"id":"a","question":"q","weight":90,"kind":"manual"}]}]}}"#,
                "add up to 90, not 100"
            ),
            (#"{"template":"sales-discovery","active":"yes"}"#, "must be true or false"),
            (#"{"template":"sales-discovery","plan":"enterprise"}"#, "The body takes only"),
            (#"{"template":"sales-discovery","definition":{}}"#, "either"),
        ]
        for (body, message) in bodies {
            let response = await fixture.send(.post, base(fixture) + "/scorecards", as: "adminA", json: body)
            #expect(response.status == 400, "\(body)")
            #expect(response.bodyText.contains(message), "\(body): \(response.bodyText)")
        }
        let after =
            try JSONSerialization.jsonObject(
                with: Data(await fixture.send(.get, base(fixture) + "/scorecards", as: "adminA").body)) as? [Any]
        #expect(before?.count == after?.count)
    }

    @Test func anUploadedCollectionsCallComesBackScoredWithVerifiedEvidence() async throws {
        let fixture = try await TenancyFixture.quiet()
        let created = await fixture.send(
            .post, base(fixture) + "/scorecards", as: "adminA", json: #"{"template":"collections-fdcpa"}"#)
        let scorecard = try #require(try object(created)["id"] as? String)
        let agentA = fixture.users["agentA"]!
        let response = await fixture.upload(
            [.metadata(#"{"agentId":"\#(agentA)"}"#), .transcript(collectionsTranscript)], as: "adminA")
        let callID = try #require(try object(response)["id"] as? String)
        try await fixture.server.drainQueue()

        let answer = await fixture.send(.get, fixture.callsPath("/\(callID)/evaluations"), as: "agentA")
        #expect(answer.status == 200, "the agent reads their own call's evaluation")
        let evaluations = try objects(answer)
        let evaluation = try #require(evaluations.first)
        #expect(evaluation["scorecardId"] as? String == scorecard && evaluation["scorecardVersion"] as? Int == 1)
        let result = try #require(evaluation["result"] as? [String: Any])
        let answers = try #require(result["answers"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: answers.map { ($0["criterionId"] as! String, $0) })
        for id in ["identification", "right-party", "mini-miranda"] {
            #expect(byID[id]?["value"] as? String == "yes", "\(id)")
            let evidence = try #require(byID[id]?["evidence"] as? [[String: Any]])
            #expect(!evidence.isEmpty && evidence.allSatisfy { $0["utteranceId"] != nil && $0["text"] != nil })
        }
        #expect(
            (byID["mini-miranda"]?["evidence"] as? [[String: Any]])?.first?["text"] as? String
                == "attempt to collect a debt")
        #expect(byID["no-threats"]?["value"] as? String == "yes")
        #expect(byID["dispute-handled"]?["status"] as? String == "notApplicable")
        #expect(byID["tone"]?["status"] as? String == "pending")
        #expect(result["total"] as? Double == 100 && result["complete"] as? Bool == false)

        // Another agent cannot read it; another company cannot learn the call exists.
        #expect(await fixture.send(.get, fixture.callsPath("/\(callID)/evaluations"), as: "agentA2").status == 404)
        #expect(await fixture.send(.get, fixture.callsPath("/\(callID)/evaluations"), as: "adminB").status == 404)
    }

    @Test func semanticCriteriaUseTheCallsEmbeddings() async throws {
        let fixture = try await TenancyFixture.quiet()
        // No word of the example is in the call: only the meaning matches.
        let card = #"""
            {"definition":{"name":"Retention","sections":[{"id":"s","title":"Intent","criteria":[
              {"id":"cancel-intent","question":"Did the customer ask to cancel?","weight":100,"kind":"rule",
               "rule":{"semantic":["I would like to cancel my subscription"],"threshold":0.55,"speaker":"customer"}}]}]}}
            """#
        #expect(await fixture.send(.post, base(fixture) + "/scorecards", as: "adminA", json: card).status == 201)
        let transcript = #"""
            {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
             "utterances":[
              {"speaker":"a","start":0,"end":3,"text":"Thanks for calling, how can I help?"},
              {"speaker":"c","start":3.5,"end":8,"text":"Please end my membership, I do not want it anymore."}]}
            """#
        let callID = try #require(
            try object(await fixture.upload([.transcript(transcript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let evaluations = try objects(
            await fixture.send(.get, fixture.callsPath("/\(callID)/evaluations"), as: "adminA"))
        let answer = try #require(
            ((evaluations.first?["result"] as? [String: Any])?["answers"] as? [[String: Any]])?.first)
        #expect(answer["value"] as? String == "yes", "\(answer)")
        #expect(
            (answer["evidence"] as? [[String: Any]])?.first?["text"] as? String
                == "Please end my membership, I do not want it anymore")
    }

    @Test func theReviewWorkflowFollowsThePolicy() async throws {
        let fixture = try await TenancyFixture.quiet()
        let definition = #"""
            {"definition":{"name":"Review","sections":[{"id":"s","title":"S","criteria":[
              {"id":"hello","question":"Hello?","weight":50,"kind":"rule","rule":{"phrase":"hello"}},
              {"id":"refund","question":"Refund?","weight":30,"kind":"rule","rule":{"phrase":"refund"}},
              {"id":"tone","question":"Tone?","weight":20,"answer":{"scale":5},"kind":"manual"}]}]}}
            """#
        let card = try #require(
            try object(await fixture.send(.post, base(fixture) + "/scorecards", as: "adminA", json: definition))["id"]
                as? String)
        let metadata = UploadPart.metadata(#"{"agentId":"\#(fixture.users["agentA"]!)","teamId":"\#(fixture.teamA1)"}"#)
        let callID = try #require(
            try object(await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let path = fixture.callsPath("/\(callID)/evaluations/\(card)")
        func result(_ response: Response) throws -> [String: Any] {
            try #require(try object(response)["result"] as? [String: Any], "\(response.bodyText)")
        }

        let override = #"{"criterionId":"refund","value":"yes","reason":"offered a credit at 9 s"}"#
        #expect(await fixture.send(.post, path + "/overrides", as: "agentA", json: override).status == 403)
        let noReason = await fixture.send(
            .post, path + "/overrides", as: "managerA", json: #"{"criterionId":"refund","value":"yes","reason":" "}"#)
        #expect(noReason.status == 400 && noReason.bodyText.contains("needs a reason"), "\(noReason.bodyText)")
        let ghost = await fixture.send(
            .post, path + "/overrides", as: "managerA", json: #"{"criterionId":"ghost","value":"yes","reason":"x"}"#)
        #expect(ghost.status == 400)
        let overridden = await fixture.send(.post, path + "/overrides", as: "managerA", json: override)
        #expect(overridden.status == 200, "\(overridden.bodyText)")
        let answers = try #require(try result(overridden)["answers"] as? [[String: Any]])
        let refund = try #require(answers.first { $0["criterionId"] as? String == "refund" })
        #expect(refund["value"] as? String == "yes" && refund["source"] as? String == "manual")
        #expect(
            (refund["automatic"] as? [String: Any])?["value"] as? String == "no", "the automatic answer stays visible")

        #expect(
            await fixture.send(.post, path + "/acknowledgement", as: "agentA", json: #"{"comment":"ok"}"#).status == 200
        )
        #expect(await fixture.send(.post, path + "/acknowledgement", as: "agentA", json: "{}").status == 400, "once")
        let dispute = #"{"criterionId":"hello","reason":"I greeted the customer"}"#
        #expect(await fixture.send(.post, path + "/disputes", as: "agentA2", json: dispute).status == 404)
        #expect(await fixture.send(.post, path + "/disputes", as: "agentA", json: dispute).status == 200)
        #expect(
            await fixture.send(.post, path + "/disputes", as: "agentA", json: dispute).status == 400, "already open")
        let resolution = path + "/disputes/hello/resolution"
        #expect(
            await fixture.send(.post, resolution, as: "agentA", json: #"{"decision":"accept","note":"x"}"#).status
                == 403)
        #expect(
            await fixture.send(.post, resolution, as: "managerA", json: #"{"decision":"maybe","note":"x"}"#).status
                == 400)
        let resolved = await fixture.send(
            .post, resolution, as: "managerA", json: #"{"decision":"keep","note":"the greeting is at 0 s"}"#)
        #expect(resolved.status == 200, "\(resolved.bodyText)")
        let disputes = try #require(try result(resolved)["disputes"] as? [[String: Any]])
        #expect(disputes.first?["status"] as? String == "kept")
        #expect(try result(resolved)["acknowledgement"] != nil)

        let audit = await fixture.send(.get, base(fixture) + "/audit-log", as: "adminA").bodyText
        for action in ["evaluation.overridden", "evaluation.acknowledged", "evaluation.disputed", "dispute.resolved"] {
            #expect(audit.contains(action), "\(action)")
        }
        #expect(await fixture.send(.post, path + "/overrides", as: "adminB", json: override).status == 404)

        // One reviewed answer disagreed (refund), one was kept on dispute (hello).
        let agreement = try #require(
            try JSONSerialization.jsonObject(
                with: Data(await fixture.send(.get, base(fixture) + "/scorecards/\(card)/agreement", as: "adminA").body)
            )
                as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: agreement.map { ($0["criterionId"] as! String, $0) })
        #expect(byID["refund"]?["reviewed"] as? Int == 1 && byID["refund"]?["agreed"] as? Int == 0)
        #expect(byID["hello"]?["reviewed"] as? Int == 1 && byID["hello"]?["rate"] as? Double == 1)
        #expect(byID["tone"]?["reviewed"] as? Int == 0)
        #expect(await fixture.send(.get, base(fixture) + "/scorecards/\(card)/agreement", as: "managerA").status == 403)
    }

    @Test func aNewVersionIsAppliedToPastCallsWithADiff() async throws {
        let fixture = try await TenancyFixture.quiet()
        func card(_ phrase: String) -> String {
            #"""
            {"definition":{"name":"Greeting","sections":[{"id":"s","title":"S","criteria":[
              {"id":"greet","question":"Greeting?","weight":60,"kind":"rule","rule":{"phrase":"\#(phrase)"}},
              {"id":"tone","question":"Tone?","weight":40,"answer":{"scale":5},"kind":"manual"}]}]}}
            """#
        }
        let id = try #require(
            try object(
                await fixture.send(.post, base(fixture) + "/scorecards", as: "adminA", json: card("good morning")))[
                    "id"]
                as? String)
        let callID = try #require(
            try object(await fixture.upload([.transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let path = fixture.callsPath("/\(callID)/evaluations/\(id)")
        #expect(
            await fixture.send(
                .post, path + "/overrides", as: "adminA", json: #"{"criterionId":"tone","value":"5","reason":"warm"}"#
            ).status == 200)

        #expect(
            await fixture.send(
                .put, base(fixture) + "/scorecards/\(id)", as: "adminA", json: card("thank you for calling")
            ).status == 200)
        let queued = await fixture.send(.post, base(fixture) + "/scorecards/\(id)/rescore", as: "adminA", json: "{}")
        #expect(queued.status == 202, "\(queued.bodyText)")
        #expect(try object(queued)["queued"] as? Int == 1)
        #expect(
            await fixture.send(.post, base(fixture) + "/scorecards/\(id)/rescore", as: "managerA", json: "{}").status
                == 403)
        try await fixture.server.drainQueue()

        let evaluations = try objects(
            await fixture.send(.get, fixture.callsPath("/\(callID)/evaluations"), as: "adminA"))
        let evaluation = try #require(evaluations.first { $0["scorecardId"] as? String == id })
        #expect(evaluation["scorecardVersion"] as? Int == 2)
        let result = try #require(evaluation["result"] as? [String: Any])
        let rescored = try #require(result["rescored"] as? [String: Any])
        #expect(rescored["fromVersion"] as? Int == 1 && rescored["previousTotal"] as? Double == 40)
        let changes = try #require(rescored["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && changes.first?["criterionId"] as? String == "greet")
        #expect(changes.first?["from"] as? String == "no" && changes.first?["to"] as? String == "yes")
        #expect(result["total"] as? Double == 100, "the new greeting answer and the carried-over manual tone")
        let tone = (result["answers"] as? [[String: Any]])?.first { $0["criterionId"] as? String == "tone" }
        #expect(tone?["source"] as? String == "manual" && tone?["value"] as? String == "5")
        let audit = await fixture.send(.get, base(fixture) + "/audit-log", as: "adminA").bodyText
        #expect(audit.contains("scorecard.rescore_queued"))
    }

    @Test func evaluationsExportAsCSVWithinTheExportersReach() async throws {
        let fixture = try await TenancyFixture.quiet()
        let id = try #require(
            try object(
                await fixture.send(
                    .post, base(fixture) + "/scorecards", as: "adminA", json: #"{"template":"customer-support-qa"}"#))[
                    "id"]
                as? String)
        for (agent, team) in [("agentA", fixture.teamA1), ("agentA2", fixture.teamA2)] {
            let metadata = UploadPart.metadata(#"{"agentId":"\#(fixture.users[agent]!)","teamId":"\#(team)"}"#)
            #expect(await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA").status == 202)
        }
        try await fixture.server.drainQueue()
        let path = base(fixture) + "/scorecards/\(id)/evaluations.csv"
        let all = await fixture.send(.get, path, as: "adminA")
        #expect(all.status == 200 && all.headers["Content-Type"] == "text/csv; charset=utf-8")
        let lines = all.bodyText.split(separator: "\r\n").map(String.init)
        #expect(
            lines.first?.hasPrefix(
                "callId,agentId,teamId,startedAt,scorecardVersion,total,complete,autoFailed,greeting") == true)
        #expect(lines.count == 3, "\(all.bodyText)")
        #expect(lines.dropFirst().allSatisfy { $0.contains(",pending,") }, "the manual criterion waits")
        let team = await fixture.send(.get, path, as: "managerA").bodyText.split(separator: "\r\n")
        #expect(team.count == 2 && team[1].contains(fixture.users["agentA"]!), "a manager exports their team's")
        #expect(await fixture.send(.get, path, as: "adminB").status == 404)
        #expect(ScorecardService.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(ScorecardService.csvField("-1") == "'-1" && ScorecardService.csvField("a,b") == "\"a,b\"")
        #expect(ScorecardService.csvField("plain") == "plain")
    }

    @Test func llmCriteriaAreAnsweredWithVerifiedQuotesOrSentToReview() async throws {
        let fixture = try await TenancyFixture.quiet()
        let chat = try ChatStandIn(reply: #"{"answer":"yes","quotes":["I am sorry about that."]}"#)
        defer { chat.stop() }
        let configuration =
            #"{"transcriber":"none","llmBaseUrl":"\#(chat.baseURL)","llmModel":"grader-1","llmApiKey":"sk-llm"}"#
        let saved = await fixture.send(
            .put, "/api/v1/companies/\(fixture.companyA)/ai-configuration", as: "adminA", json: configuration)
        #expect(saved.status == 200, "\(saved.bodyText)")
        #expect(try object(saved)["llmApiKeySet"] as? Bool == true)
        #expect(!saved.bodyText.contains("sk-llm"), "the key is never shown")
        let definition = #"""
            {"definition":{"name":"LLM","sections":[{"id":"s","title":"S","criteria":[
              {"id":"empathy","question":"Did the agent apologise for the problem?","weight":60,"kind":"llm",
               "prompt":"An apology counts when it names the customer's problem."},
              {"id":"tone","question":"How warm was the agent?","weight":40,"answer":{"scale":5},"kind":"llm",
               "prompt":"5 is warmest."}]}]}}
            """#
        #expect(await fixture.send(.post, base(fixture) + "/scorecards", as: "adminA", json: definition).status == 201)
        let callID = try #require(
            try object(await fixture.upload([.transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()

        #expect(chat.received.count == 2 && chat.received.allSatisfy { $0.authorization == "Bearer sk-llm" })
        #expect(chat.received.first?.body.contains("Did the agent apologise for the problem?") == true)
        #expect(chat.received.first?.body.contains("I am sorry about that.") == true, "the transcript goes with it")
        let evaluations = try objects(
            await fixture.send(.get, fixture.callsPath("/\(callID)/evaluations"), as: "adminA"))
        let answers = try #require((evaluations.first?["result"] as? [String: Any])?["answers"] as? [[String: Any]])
        let empathy = try #require(answers.first { $0["criterionId"] as? String == "empathy" })
        #expect(empathy["status"] as? String == "scored" && empathy["value"] as? String == "yes")
        #expect((empathy["evidence"] as? [[String: Any]])?.first?["utteranceId"] as? String == "u3")
        // "yes" is not an answer on a 1-5 scale: the criterion goes to review instead.
        let tone = try #require(answers.first { $0["criterionId"] as? String == "tone" })
        #expect(tone["status"] as? String == "needsReview", "\(tone)")

        // A quote that is not in the call sends the answer to review.
        chat.reply(#"{"answer":"yes","quotes":["I deeply apologise"]}"#)
        let second = try #require(
            try object(await fixture.upload([.transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let again = try objects(await fixture.send(.get, fixture.callsPath("/\(second)/evaluations"), as: "adminA"))
        let forged = ((again.first?["result"] as? [String: Any])?["answers"] as? [[String: Any]])?.first
        #expect(forged?["status"] as? String == "needsReview")
        #expect((forged?["note"] as? String)?.contains("not in the transcript") == true)
    }
}

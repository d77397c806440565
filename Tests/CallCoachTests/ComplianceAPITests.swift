import CallCoachHTTP
@testable import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

@Suite struct ComplianceAPITests {
    func base(_ fixture: TenancyFixture) -> String { "/api/v1/companies/\(fixture.companyA)" }

    func packs(_ fixture: TenancyFixture, company: String? = nil, as actor: String) async throws -> [String: Bool] {
        let path = "/api/v1/companies/\(company ?? fixture.companyA)/compliance-packs"
        let list = try objects(await fixture.send(.get, path, as: actor))
        return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as! String, $0["enabled"] as! Bool) })
    }

    @Test func packsAreSwitchedPerCompanyAndAudited() async throws {
        let fixture = try await TenancyFixture.quiet()
        #expect(
            try await packs(fixture, as: "agentA") == [
                "pci-dss": true, "recording-disclosure": true, "fdcpa-regf": false, "tcpa": false,
                "hipaa-identifiers": false, "house-pack": true,
            ], "the fixture's own pack is on until switched off")
        let path = base(fixture) + "/compliance-packs/fdcpa-regf"
        #expect(await fixture.send(.patch, path, as: "managerA", json: #"{"enabled":true}"#).status == 403)
        let on = await fixture.send(.patch, path, as: "adminA", json: #"{"enabled":true}"#)
        #expect(on.status == 200, "\(on.bodyText)")
        #expect(try object(on)["enabled"] as? Bool == true)
        #expect(
            await fixture.send(
                .patch, base(fixture) + "/compliance-packs/pci-dss", as: "adminA", json: #"{"enabled":false}"#
            ).status == 200)
        let now = try await packs(fixture, as: "adminA")
        #expect(now["fdcpa-regf"] == true && now["pci-dss"] == false)
        #expect(
            try await packs(fixture, company: fixture.companyB, as: "adminB")["pci-dss"] == true,
            "another company keeps its own")
        #expect(
            await fixture.send(
                .patch, base(fixture) + "/compliance-packs/nope", as: "adminA", json: #"{"enabled":true}"#
            ).status == 404)
        #expect(await fixture.send(.patch, path, as: "adminA", json: #"{"enabled":"yes"}"#).status == 400)
        #expect(await fixture.send(.patch, path, as: "adminA", json: #"{"enabled":true,"version":2}"#).status == 400)
        let audit = await fixture.send(.get, base(fixture) + "/audit-log", as: "adminA").bodyText
        #expect(audit.contains("compliance_pack.enabled") && audit.contains("compliance_pack.disabled"))
    }

    @Test func aCollectionsCallComesBackWithItsFindings() async throws {
        let fixture = try await TenancyFixture.quiet()
        for pack in ["fdcpa-regf", "tcpa"] {
            #expect(
                await fixture.send(
                    .patch, base(fixture) + "/compliance-packs/\(pack)", as: "adminA", json: #"{"enabled":true}"#
                ).status == 200)
        }
        let transcript = #"""
            {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
             "utterances":[
              {"speaker":"a","start":0,"end":5,"text":"Hi, this is Dana from Acme Recovery. Your balance is 200 dollars."},
              {"speaker":"c","start":5.5,"end":9,"text":"I dispute that, it is not my debt."},
              {"speaker":"a","start":9.5,"end":14,"text":"Then I can take a card payment now."},
              {"speaker":"c","start":14.5,"end":22,"text":"Fine, 4111 1111 1111 1111. Now stop calling me."}]}
            """#
        let metadata = UploadPart.metadata(
            #"{"agentId":"\#(fixture.users["agentA"]!)","startedAt":"2026-12-04T02:30:00Z","customerTimeZone":"America/New_York"}"#
        )
        let callID = try #require(
            try object(await fixture.upload([metadata, .transcript(transcript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let response = await fixture.send(.get, fixture.callsPath("/\(callID)/findings"), as: "agentA")
        #expect(response.status == 200)
        let findings = try objects(response)
        let rules = Set(findings.compactMap { $0["ruleId"] as? String })
        #expect(
            rules == [
                "card-number-spoken", "payment-without-pause", "disclosure-missing", "mini-miranda-missing",
                "debt-before-verification", "dispute-request", "cease-request", "outside-calling-hours",
                "opt-out-request",
            ], "\(rules.sorted())")
        let card = try #require(findings.first { $0["ruleId"] as? String == "card-number-spoken" })
        #expect(card["regulation"] as? String == "PCI DSS v4.0 Req. 3.3, 3.4 (stored account data)")
        #expect(card["severity"] as? String == "high")
        #expect((card["evidence"] as? [[String: Any]])?.first?["text"] as? String == "[card number]")
        let optOut = try #require(findings.first { $0["ruleId"] as? String == "opt-out-request" })
        #expect(optOut["followUpDue"] as? String == "2026-12-18T02:30:00Z", "10 business days after the call")
        let hours = try #require(findings.first { $0["ruleId"] as? String == "outside-calling-hours" })
        #expect(
            (hours["evidence"] as? [[String: Any]])?.first?["text"] as? String
                == "the call started at 21:30 America/New_York")
        #expect(!response.bodyText.contains("4111"), "no finding holds the card number")

        // The company's findings, filtered, each naming its call; an agent sees their own calls'.
        let high = try objects(await fixture.send(.get, base(fixture) + "/findings?severity=high", as: "adminA"))
        #expect(
            !high.isEmpty
                && high.allSatisfy { $0["severity"] as? String == "high" && $0["callId"] as? String == callID })
        let tcpa = try objects(await fixture.send(.get, base(fixture) + "/findings?packId=tcpa", as: "agentA"))
        #expect(Set(tcpa.compactMap { $0["ruleId"] as? String }) == ["outside-calling-hours", "opt-out-request"])
        let none = try #require(
            try JSONSerialization.jsonObject(
                with: Data(await fixture.send(.get, base(fixture) + "/findings", as: "agentA2").body)) as? [Any])
        #expect(none.isEmpty)
        #expect(await fixture.send(.get, base(fixture) + "/findings?severity=dire", as: "adminA").status == 400)

        // Follow-ups: the opt-out, the dispute and the cease request wait for someone to act.
        let open = try objects(await fixture.send(.get, base(fixture) + "/follow-ups", as: "adminA"))
        #expect(
            Set(open.compactMap { $0["ruleId"] as? String }) == ["opt-out-request", "dispute-request", "cease-request"])
        let done = fixture.callsPath("/\(callID)/findings/tcpa/opt-out-request/done")
        #expect(await fixture.send(.post, done, as: "managerA").status == 403)
        let marked = await fixture.send(.post, done, as: "adminA")
        #expect(marked.status == 200, "\(marked.bodyText)")
        #expect(try object(marked)["followUpDoneAt"] != nil)
        #expect(await fixture.send(.post, done, as: "adminA").status == 404, "already done")
        #expect(
            await fixture.send(
                .post, fixture.callsPath("/\(callID)/findings/tcpa/outside-calling-hours/done"), as: "adminA"
            )
            .status == 404, "no follow-up to do")
        let closed = try objects(await fixture.send(.get, base(fixture) + "/follow-ups?status=done", as: "adminA"))
        #expect(closed.compactMap { $0["ruleId"] as? String } == ["opt-out-request"])
        #expect(try objects(await fixture.send(.get, base(fixture) + "/follow-ups", as: "agentA2")).isEmpty)
        #expect(await fixture.send(.get, fixture.callsPath("/\(callID)/findings"), as: "agentA2").status == 404)
    }

    @Test func aCallWithinSevenDaysOfAConversationIsFlagged() async throws {
        let fixture = try await TenancyFixture.quiet()
        #expect(
            await fixture.send(
                .patch, base(fixture) + "/compliance-packs/fdcpa-regf", as: "adminA", json: #"{"enabled":true}"#
            ).status == 200)
        var ids: [String] = []
        for day in ["2026-11-30T15:00:00Z", "2026-12-03T15:00:00Z"] {
            let metadata = UploadPart.metadata(#"{"customerPhone":"+15551230000","startedAt":"\#(day)"}"#)
            let id = try #require(
                try object(await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA"))["id"]
                    as? String)
            try await fixture.server.drainQueue()
            ids.append(id)
        }
        func rules(_ id: String) async throws -> Set<String> {
            let list = try objects(await fixture.send(.get, fixture.callsPath("/\(id)/findings"), as: "adminA"))
            return Set(list.compactMap { $0["ruleId"] as? String })
        }
        #expect(try await !rules(ids[0]).contains("call-after-conversation"))
        #expect(try await rules(ids[1]).contains("call-after-conversation"), "three days after the customer spoke")
        // Another debt of the same consumer is counted on its own.
        let metadata = UploadPart.metadata(
            #"{"customerPhone":"+15551230000","startedAt":"2026-12-04T15:00:00Z","debtId":"loan-2"}"#)
        let other = try #require(
            try object(await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        #expect(try await !rules(other).contains("call-after-conversation"))
    }

    @Test func aCompanyWritesItsOwnPacks() async throws {
        let fixture = try await TenancyFixture.quiet()
        let packs = base(fixture) + "/compliance-packs"
        let rules =
            #"[{"id":"refund-promise","title":"A refund was promised","regulation":"Refund policy 2.1","severity":"medium","when":{"phrase":"guaranteed refund","speaker":"agent"}}]"#
        let bad = await fixture.send(
            .post, packs, as: "adminA",
            json:
                #"{"definition":{"id":"refunds","name":"Refunds","rules":[{"id":"x","title":"X","regulation":"R","severity":"dire","when":{"phrase":"x"}}]}}"#
        )
        #expect(bad.status == 400 && bad.bodyText.contains("$.rules[0].severity"), "\(bad.bodyText)")
        #expect(
            await fixture.send(
                .post, packs, as: "adminA", json: #"{"definition":{"id":"tcpa","name":"Mine","rules":\#(rules)}}"#
            ).status == 400, "a shipped pack's id")
        #expect(
            await fixture.send(
                .post, packs, as: "adminA",
                json: #"{"definition":{"id":"refunds","name":"Refunds","version":3,"rules":\#(rules)}}"#
            ).status == 400, "the server numbers versions")
        #expect(
            await fixture.send(
                .post, packs, as: "managerA",
                json: #"{"definition":{"id":"refunds","name":"Refunds","rules":\#(rules)}}"#
            ).status == 403)
        let created = await fixture.send(
            .post, packs, as: "adminA", json: #"{"definition":{"id":"refunds","name":"Refunds","rules":\#(rules)}}"#)
        #expect(created.status == 201, "\(created.bodyText)")
        #expect(try object(created)["custom"] as? Bool == true && object(created)["enabled"] as? Bool == true)

        let transcript = #"""
            {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
             "utterances":[{"speaker":"a","start":0,"end":4,"text":"This call may be recorded. You get a guaranteed refund."}]}
            """#
        let callID = try #require(
            try object(await fixture.upload([.transcript(transcript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let findings = try objects(await fixture.send(.get, fixture.callsPath("/\(callID)/findings"), as: "adminA"))
        #expect(findings.map { $0["ruleId"] as? String } == ["refund-promise"], "\(findings)")
        #expect((findings.first?["evidence"] as? [[String: Any]])?.first?["text"] as? String == "guaranteed refund")

        let edited = await fixture.send(
            .put, packs + "/refunds", as: "adminA",
            json: #"{"definition":{"id":"refunds","name":"Refunds v2","rules":\#(rules)}}"#)
        #expect(edited.status == 200, "\(edited.bodyText)")
        #expect(try object(edited)["version"] as? Int == 2)
        #expect(
            await fixture.send(
                .put, packs + "/tcpa", as: "adminA", json: #"{"definition":{"id":"tcpa","name":"x","rules":\#(rules)}}"#
            )
            .status == 400)
        #expect(await fixture.send(.delete, packs + "/pci-dss", as: "adminA").status == 400)
        #expect(await fixture.send(.delete, packs + "/refunds", as: "adminA").status == 204)
        #expect(await fixture.send(.delete, packs + "/refunds", as: "adminA").status == 404)
        let audit = await fixture.send(.get, base(fixture) + "/audit-log", as: "adminA").bodyText
        for action in ["compliance_pack.created", "compliance_pack.edited", "compliance_pack.deleted"] {
            #expect(audit.contains(action), "\(action)")
        }
    }
}

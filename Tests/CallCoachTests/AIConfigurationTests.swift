import CallCoachHTTP
@testable import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

@Suite struct AIConfigurationTests {
    func path(_ fixture: TenancyFixture) -> String { "/api/v1/companies/\(fixture.companyA)/ai-configuration" }

    @Test func adminsChooseATranscriberWhoseKeyIsSealedNeverShownAndAudited() async throws {
        let fixture = try await TenancyFixture.quiet()
        let standIn = try TranscriptionStandIn(phrase: "thank you for calling")
        defer { standIn.stop() }
        let initial = try object(await fixture.send(.get, path(fixture), as: "adminA"))
        #expect(initial["transcriber"] as? String == "whisper" && initial["model"] as? String == "tiny.en")
        #expect(initial["apiKeySet"] as? Bool == false, "until a company chooses, no call leaves the machine")
        #expect(await fixture.send(.get, path(fixture), as: "managerA").status == 403)
        #expect(await fixture.send(.get, path(fixture), as: "agentB").status == 404)

        let secret = "sk-canary-9f8e7d6c5b4a"
        let change =
            #"{"transcriber":"openai-compatible","baseUrl":"\#(standIn.baseURL)","model":"whisper-1","apiKey":"\#(secret)"}"#
        let saved = await fixture.send(.put, path(fixture), as: "adminA", json: change)
        #expect(saved.status == 200, "\(saved.bodyText)")
        #expect(!saved.bodyText.contains(secret))
        let view = try object(await fixture.send(.get, path(fixture), as: "adminA"))
        #expect(view["apiKeySet"] as? Bool == true && view["model"] as? String == "whisper-1")
        #expect(view["baseUrl"] as? String == standIn.baseURL)

        // The key is sealed at rest, and the audit entry says a key was set without holding it.
        let stored = try await fixture.server.runtime.database.read(.platform) { connection in
            try connection.queryOne("SELECT api_key_sealed FROM ai_configurations")?.decode(
                "api_key_sealed", as: String.self)
        }
        #expect(stored != nil && stored?.contains(secret) == false && stored?.contains("c2stY2FuYXJ5") == false)
        let audit = await fixture.send(
            .get, "/api/v1/companies/\(fixture.companyA)/audit-log?action=ai_configuration.changed", as: "adminA")
        #expect(audit.bodyText.contains("replaced") && !audit.bodyText.contains(secret))

        // Changing the model keeps the key; moving to another address drops it.
        let model = #"{"transcriber":"openai-compatible","baseUrl":"\#(standIn.baseURL)","model":"whisper-2"}"#
        #expect(await fixture.send(.put, path(fixture), as: "adminA", json: model).status == 200)
        #expect(try object(await fixture.send(.get, path(fixture), as: "adminA"))["apiKeySet"] as? Bool == true)
        let moved = #"{"transcriber":"openai-compatible","baseUrl":"https://asr.example.com/v1","model":"whisper-2"}"#
        #expect(await fixture.send(.put, path(fixture), as: "adminA", json: moved).status == 200)
        #expect(try object(await fixture.send(.get, path(fixture), as: "adminA"))["apiKeySet"] as? Bool == false)
    }

    @Test func badConfigurationsAreRefusedAndChangeNothing() async throws {
        let fixture = try await TenancyFixture.quiet()
        for body in [
            #"{"transcriber":"pocketsphinx"}"#,
            #"{"transcriber":"openai-compatible","model":"m"}"#,
            #"{"transcriber":"openai-compatible","baseUrl":"http://asr.internal.example/v1","model":"m"}"#,
            #"{"transcriber":"openai-compatible","baseUrl":"https://user:pw@asr.example.com/v1","model":"m"}"#,
            #"{"transcriber":"openai-compatible","baseUrl":"ftp://asr.example.com/v1","model":"m"}"#,
            #"{"transcriber":"openai-compatible","baseUrl":"https://asr.example.com/v1"}"#,
            #"{"transcriber":"none","model":"m"}"#,
            #"{"transcriber":"whisper","model":"large-v3"}"#,
            #"{"transcriber":"whisper","baseUrl":"https://asr.example.com/v1"}"#,
            #"{"transcriber":"whisper","apiKey":"sk-1"}"#,
            #"{"transcriber":"none","llmBaseUrl":"https://llm.example.com/v1"}"#,
            #"{"transcriber":"none","llmBaseUrl":"http://llm.internal.example/v1","llmModel":"m"}"#,
            #"{"transcriber":"none","llmApiKey":"sk-2"}"#,
            #"{"transcriber":"none","plan":"enterprise"}"#,
            #"{"transcriber":7}"#,
            "[]",
        ] {
            let answer = await fixture.send(.put, path(fixture), as: "adminA", json: body)
            #expect(answer.status == 400, "\(body): \(answer.bodyText)")
        }
        #expect(
            try object(await fixture.send(.get, path(fixture), as: "adminA"))["transcriber"] as? String == "whisper")
        let local = await fixture.send(.put, path(fixture), as: "adminA", json: #"{"transcriber":"whisper"}"#)
        #expect(try object(local)["model"] as? String == "tiny.en", "\(local.bodyText)")
    }

    @Test func aConfiguredProviderTranscribesEachChannel() async throws {
        let fixture = try await TenancyFixture.quiet()
        let standIn = try TranscriptionStandIn(phrase: "my card was charged twice")
        defer { standIn.stop() }
        let change =
            #"{"transcriber":"openai-compatible","baseUrl":"\#(standIn.baseURL)","model":"whisper-1","apiKey":"sk-1"}"#
        #expect(await fixture.send(.put, path(fixture), as: "adminA", json: change).status == 200)

        let scratch = try TemporaryDirectory()
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.stereoCall(in: scratch))))
        let metadata = UploadPart.metadata(#"{"channelMap":{"left":"agent","right":"customer"}}"#)
        let response = await fixture.upload([metadata, .audio(audio)], as: "adminA")
        let callID = try #require(try object(response)["id"] as? String)
        try await fixture.server.drainQueue()
        let detail = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(detail["status"] as? String == "ready", "\(detail)")
        #expect((detail["report"] as? [String: Any])?["transcriber"] as? String == "openai-compatible:whisper-1")
        #expect(standIn.received.allSatisfy { $0.authorization == "Bearer sk-1" })
        let transcript = try object(await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA"))
        let utterances = try #require(transcript["utterances"] as? [[String: Any]])
        #expect(Set(utterances.compactMap { $0["speaker"] as? String }) == ["agent", "customer"])
        #expect(utterances.allSatisfy { $0["text"] as? String == "my card was charged twice" })
        #expect(utterances.allSatisfy { ($0["words"] as? [Any])?.count == 5 })
    }

    @Test func aProviderThatRefusesTheKeyFailsTheCallWithAReason() async throws {
        let fixture = try await TenancyFixture.quiet()
        let standIn = try TranscriptionStandIn(phrase: "unused")
        defer { standIn.stop() }
        standIn.answer(with: 401)
        let change =
            #"{"transcriber":"openai-compatible","baseUrl":"\#(standIn.baseURL)","model":"m","apiKey":"wrong"}"#
        #expect(await fixture.send(.put, path(fixture), as: "adminA", json: change).status == 200)
        let scratch = try TemporaryDirectory()
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.monoTelephoneCall(in: scratch))))
        let callID = try #require(try object(await fixture.upload([.audio(audio)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let detail = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(detail["status"] as? String == "failed")
        #expect((detail["failure"] as? String)?.contains("refused the API key") == true, "\(detail)")
        #expect(standIn.received.count == 1, "a refused key is not retried")
    }
}

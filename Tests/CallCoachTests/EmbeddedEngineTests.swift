import CallCoachHTTP
@testable import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

/// The embedded whisper.cpp and sentence encoder in the pipeline, on the models the set-up
/// installed: what a company gets when it never chose a transcriber.
@Suite struct EmbeddedEngineTests {
    func detail(_ fixture: TenancyFixture, _ callID: String) async throws -> [String: Any] {
        try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
    }

    @Test func aTelephoneStereoCallComesBackWithWordsPerSpeakerAndStoredVectors() async throws {
        let fixture = try await TenancyFixture.make {
            $0.workers = 0
            $0.metricsToken = Secret("metrics-token-for-tests")
        }
        let scratch = try TemporaryDirectory()
        let audio = Array(
            try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.stereoCall(in: scratch, rate: 8000))))
        let metadata = UploadPart.metadata(#"{"channelMap":{"left":"agent","right":"customer"}}"#)
        let callID = try #require(
            try object(await fixture.upload([metadata, .audio(audio)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let call = try await detail(fixture, callID)
        #expect(call["status"] as? String == "ready", "\(call)")
        #expect((call["report"] as? [String: Any])?["transcriber"] as? String == "whisper:tiny.en")

        let response = await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA")
        let utterances = try #require(try object(response)["utterances"] as? [[String: Any]])
        let said = { (speaker: String) in
            utterances.filter { $0["speaker"] as? String == speaker }.compactMap { $0["text"] as? String }
                .joined(separator: " ").lowercased()
        }
        #expect(said("agent").contains("calling") && said("agent").contains("help"), "\(said("agent"))")
        // espeak's British voice through a telephone band is hard on tiny.en ("my con was charged
        // right that week"); the words it keeps are enough to tell the channels apart.
        #expect(said("customer").contains("charged"), "\(said("customer"))")
        #expect(!said("agent").contains("card"), "each channel is heard on its own")
        for utterance in utterances {
            let start = try #require(utterance["start"] as? Double)
            let end = try #require(utterance["end"] as? Double)
            let words = try #require(utterance["words"] as? [[String: Any]], "\(utterance)")
            #expect(!words.isEmpty)
            var previous = start - 0.5
            for word in words {
                let wordStart = try #require(word["start"] as? Double)
                #expect(wordStart >= previous && wordStart <= end + 0.5, "\(word) in \(start)–\(end)")
                #expect((0...1).contains(try #require(word["confidence"] as? Double)))
                previous = wordStart
            }
        }
        // The customer starts speaking five seconds in.
        let customerStart = utterances.filter { $0["speaker"] as? String == "customer" }.compactMap {
            $0["start"] as? Double
        }.min()
        #expect(customerStart.map { (4.5...6.5).contains($0) } == true, "\(String(describing: customerStart))")

        // A vector per utterance, unit length, kept on the server and in no answer.
        let scope = TenantScope.system(companyID: fixture.companyA)
        let stored = try await fixture.server.runtime.database.read(scope.context) {
            try CallEmbeddings(scope: scope).embeddings(callID: callID, $0)
        }
        #expect(Set(stored.map(\.embedding.utteranceID)) == Set(utterances.compactMap { $0["id"] as? String }))
        for (model, embedding) in stored {
            #expect(model == "all-MiniLM-L6-v2" && embedding.vector.count == 384)
            #expect(abs(embedding.vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3)
        }
        #expect(!response.bodyText.contains("vector") && !response.bodyText.contains("embedding"))

        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer metrics-token-for-tests")
        let metrics = await fixture.server.client().send(.get, "/metrics", headers: headers).bodyText
        #expect(metrics.contains(#"callcoach_engine_memory_bytes{engine="whisper:tiny.en"}"#), "\(metrics.suffix(400))")
        #expect(metrics.contains(#"callcoach_engine_memory_bytes{engine="embeddings:all-MiniLM-L6-v2"}"#))
    }

    @Test func aRecordingWithoutSpeechHasNoInventedWords() async throws {
        let fixture = try await TenancyFixture.quiet()
        let scratch = try TemporaryDirectory()
        let silence = scratch.file("silence.wav")
        // Twenty seconds of faint hiss on both channels: nothing anyone said.
        try AudioFixtures.run([
            "sox", "-n", "-r", "16000", "-c", "2", "-b", "16", silence, "synth", "20", "whitenoise", "vol", "0.002",
        ])
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: silence)))
        let callID = try #require(try object(await fixture.upload([.audio(audio)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        #expect(try await detail(fixture, callID)["status"] as? String == "ready")
        let transcript = try object(await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA"))
        #expect((transcript["utterances"] as? [Any])?.isEmpty == true, "\(transcript)")
    }

    @Test func missingModelsFailReadinessAndDeadLetterTheCallWithTheReason() async throws {
        let empty = try TemporaryDirectory()
        let fixture = try await TenancyFixture.make {
            $0.workers = 0
            $0.modelsDirectory = empty.path
        }
        #expect(await fixture.server.client().get("/readyz").status == 503)
        #expect(fixture.server.logs.lines.contains { $0.contains("engines.unavailable") && $0.contains("missing") })
        let scratch = try TemporaryDirectory()
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.monoTelephoneCall(in: scratch))))
        let callID = try #require(try object(await fixture.upload([.audio(audio)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let call = try await detail(fixture, callID)
        #expect(call["status"] as? String == "failed")
        #expect((call["failure"] as? String)?.contains("ggml-tiny.en.bin is missing") == true, "\(call)")
        let letters = try await fixture.server.runtime.database.read(.platform) {
            try JobQueue.allDeadLetters(limit: 10, $0)
        }
        #expect(letters.count == 1)

        // A corrupt file is refused the same way; --production does not start at all.
        try Data(repeating: 7, count: 2_000_000).write(to: URL(fileURLWithPath: empty.file("ggml-tiny.en.bin")))
        #expect(
            Engines(directory: empty.path, threads: 1).problems().first?.contains("not a ggml Whisper model") == true)
        await #expect(throws: ConfigurationError.self) {
            _ = try await LiveServer.start {
                $0.modelsDirectory = empty.path
                $0.production = true
            }
        }

        // Once the operator installs the models, the same server is ready and the requeued call
        // is heard: a failed load is not remembered.
        let installed = Configuration().modelsDirectory
        try FileManager.default.removeItem(atPath: empty.file("ggml-tiny.en.bin"))
        for item in ["ggml-tiny.en.bin", "all-MiniLM-L6-v2"] {
            try FileManager.default.copyItem(atPath: installed + "/" + item, toPath: empty.file(item))
        }
        #expect(await fixture.server.client().get("/readyz").status == 200)
        let letter = try #require(letters.first)
        #expect(
            await fixture.send(
                .post, "/api/v1/companies/\(fixture.companyA)/dead-letters/\(letter.id)/requeue", as: "adminA"
            ).status == 202)
        try await fixture.server.drainQueue()
        #expect(try await detail(fixture, callID)["status"] as? String == "ready")
    }

    @Test func onlyInstalledWhisperModelsCanBeChosen() throws {
        let empty = try TemporaryDirectory()
        let settings = AISettings(
            database: try SQLiteDatabase(path: ":memory:"), key: Array(repeating: 1, count: 32),
            engines: Engines(directory: empty.path, threads: 1))
        let change = AISettings.Change(
            transcriber: "whisper", baseUrl: nil, model: "base", apiKey: nil, llmBaseUrl: nil, llmModel: nil,
            llmApiKey: nil)
        #expect(throws: HTTPError.self) {
            try settings.configuration(
                change, replacing: nil, scope: .system(companyID: "c"), at: Date())
        }
    }
}

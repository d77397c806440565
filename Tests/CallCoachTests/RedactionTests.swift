import CallCoachAudio
import CallCoachEmbeddings
import CallCoachHTTP
@testable import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

/// Card data never outlives processing: not in the stored transcript, not in an older blob
/// version, not in the recording, not in the vectors.
@Suite struct RedactionTests {
    func blobVersions(_ fixture: TenancyFixture, _ collection: String, _ callID: String) async throws -> [Int] {
        let scope = TenantScope.system(companyID: fixture.companyA)
        let key = try #require(BlobKey(scope: scope, collection: collection, id: callID))
        return try await fixture.server.runtime.database.read(scope.context) {
            try BlobVersions(scope: scope).versions(key, $0)
        }
    }

    func plaintext(_ fixture: TenancyFixture, _ collection: String, _ callID: String, version: Int) throws -> [UInt8] {
        let blobs = BlobStore(
            root: fixture.server.directory.file("blobs"), keys: fixture.server.runtime.identity.keys.blobKeys)
        let key = try #require(BlobKey(scope: .system(companyID: fixture.companyA), collection: collection, id: callID))
        let reader = try blobs.reader(key, version: version)
        return try reader.read(0..<reader.size)
    }

    @Test func anImportedTranscriptIsStoredOnlyRedacted() async throws {
        let fixture = try await TenancyFixture.quiet()
        let transcript = #"""
            {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
             "utterances":[
              {"speaker":"a","start":0,"end":3,"text":"Can I have the card number please?"},
              {"speaker":"c","start":3.5,"end":12,"text":"Sure, it's 4111 1111 1111 1111, expires 04/27, and the security code is 737."}]}
            """#
        let callID = try #require(
            try object(await fixture.upload([.transcript(transcript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let call = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(call["status"] as? String == "ready")
        let notes = ((call["report"] as? [String: Any])?["notes"] as? [String])?.joined() ?? ""
        #expect(notes.contains("Redacted: card number, security code, expiry date (3 spans)"), "\(notes)")

        let stored = try object(await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA"))
        let texts = (stored["utterances"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
        #expect(
            texts.last == "Sure, it's [card number], expires [expiry date], and the security code is [security code].")
        // One version remains, the redacted one; the upload's file is gone from disk too.
        let versions = try await blobVersions(fixture, "transcripts", callID)
        #expect(versions == [2])
        let blobs = BlobStore(
            root: fixture.server.directory.file("blobs"), keys: fixture.server.runtime.identity.keys.blobKeys)
        let key = try #require(
            BlobKey(scope: .system(companyID: fixture.companyA), collection: "transcripts", id: callID))
        #expect(!FileManager.default.fileExists(atPath: blobs.path(key, version: 1)))
        let text = String(decoding: try plaintext(fixture, "transcripts", callID, version: 2), as: UTF8.self)
        #expect(!text.contains("4111") && !text.contains("737") && !text.contains("04/27"))

        // The vectors are those of the redacted words.
        let scope = TenantScope.system(companyID: fixture.companyA)
        let vectors = try await fixture.server.runtime.database.read(scope.context) {
            try CallEmbeddings(scope: scope).embeddings(callID: callID, $0)
        }
        let encoder = try fixture.server.runtime.configuration.engines.sentenceEncoder()
        let expected = encoder.embed([try #require(texts.last)])[0]
        let stored2 = try #require(vectors.first { $0.embedding.utteranceID == "u2" }?.embedding.vector)
        #expect(zip(expected, stored2).reduce(Float(0)) { $0 + $1.0 * $1.1 } > 0.9999)
    }

    @Test func aSpokenCardNumberIsSilencedInTheRecording() async throws {
        let fixture = try await TenancyFixture.quiet()
        let scratch = try TemporaryDirectory()
        try AudioFixtures.run([
            "espeak-ng", "-v", "en-us", "-s", "140", "-w", scratch.file("card.wav"),
            "My card number is four two four two, four two four two, four two four two, four two four two.",
        ])
        try AudioFixtures.run(["espeak-ng", "-v", "en-us", "-w", scratch.file("agent.wav"), "Thank you, one moment."])
        try AudioFixtures.run([
            "sox", scratch.file("agent.wav"), "-r", "16000", scratch.file("left.wav"), "pad", "0", "12",
        ])
        try AudioFixtures.run([
            "sox", scratch.file("card.wav"), "-r", "16000", scratch.file("right.wav"), "pad", "3", "1",
        ])
        try AudioFixtures.run([
            "sox", "-M", scratch.file("left.wav"), scratch.file("right.wav"), scratch.file("call.wav"),
        ])
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: scratch.file("call.wav"))))
        let callID = try #require(try object(await fixture.upload([.audio(audio)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()

        let stored = try object(await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA"))
        let customer =
            (stored["utterances"] as? [[String: Any]])?.filter { $0["speaker"] as? String == "customer" } ?? []
        let said = customer.compactMap { $0["text"] as? String }.joined(separator: " ")
        #expect(said.contains("[card number]"), "\(said)")
        #expect(!said.contains { $0.isNumber }, "\(said)")
        let words = customer.flatMap { ($0["words"] as? [[String: Any]]) ?? [] }.compactMap { $0["text"] as? String }
        #expect(words.contains("[card number]") && !words.joined().contains { $0.isNumber }, "\(words)")

        // The recording is now a redacted WAV, the only version; the customer's digits are silence.
        #expect(try await blobVersions(fixture, "audio", callID) == [2])
        let call = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(call["mediaFormat"] as? String == "wav", "\(call)")
        let wav = try plaintext(fixture, "audio", callID, version: 2)
        let samples = stride(from: 44, to: wav.count - 1, by: 2).map {
            Int16(bitPattern: UInt16(wav[$0]) | UInt16(wav[$0 + 1]) << 8)
        }
        let right = stride(from: 1, to: samples.count, by: 2).map { samples[$0] }
        // Espeak says "my card number is" in the first second or so after the 3 s pad; the digits follow.
        let digits = right[(5 * 16_000)..<(9 * 16_000)]
        #expect(digits.allSatisfy { $0 == 0 }, "the spoken digits are silenced")
        let before = right[(3 * 16_000)..<(4 * 16_000)]
        #expect(before.contains { $0 != 0 }, "the words before them are kept")
        let left = stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
        #expect(left[0..<16_000].contains { $0 != 0 }, "the agent's channel is untouched")
    }

    @Test func withTheHealthPackHealthIdentifiersAreRedactedToo() async throws {
        let fixture = try await TenancyFixture.quiet()
        #expect(
            await fixture.send(
                .patch, "/api/v1/companies/\(fixture.companyA)/compliance-packs/hipaa-identifiers", as: "adminA",
                json: #"{"enabled":true}"#
            ).status == 200)
        let transcript = #"""
            {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
             "utterances":[
              {"speaker":"a","start":0,"end":3,"text":"Can I have your social security number?"},
              {"speaker":"c","start":3.5,"end":9,"text":"Sure, it is 123 45 6789."}]}
            """#
        let callID = try #require(
            try object(await fixture.upload([.transcript(transcript)], as: "adminA"))["id"] as? String)
        try await fixture.server.drainQueue()
        let stored = await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA").bodyText
        #expect(stored.contains("Sure, it is [social security number].") && !stored.contains("6789"), "\(stored)")
        #expect(try await blobVersions(fixture, "transcripts", callID) == [2])
        let findings = await fixture.send(.get, fixture.callsPath("/\(callID)/findings"), as: "adminA").bodyText
        #expect(findings.contains("ssn-spoken"))
    }
}

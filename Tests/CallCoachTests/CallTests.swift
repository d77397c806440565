import CallCoachAudio
import CallCoachCore
import CallCoachHTTP
@testable import CallCoachServer
@testable import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

extension TenancyFixture {
    /// Uploads `parts` to company A as `actor`.
    func upload(_ parts: [UploadPart], as actor: String, key: String? = nil, company: String? = nil) async -> Response {
        var headers = Multipart.headers
        headers.set("Authorization", "Bearer \(tokens[actor]!)")
        if let key { headers.set("Idempotency-Key", key) }
        return await server.client().send(
            .post, "/api/v1/companies/\(company ?? companyA)/calls", headers: headers, body: Multipart.body(parts))
    }

    func callsPath(_ suffix: String = "") -> String { "/api/v1/companies/\(companyA)/calls\(suffix)" }

    static func quiet() async throws -> TenancyFixture {
        try await make { $0.workers = 0 }
    }
}

@Suite struct CallAccessTests {
    static func isCallRoute(_ route: Route) -> Bool {
        // Coaching assignments and calibrations act on calls too; CoachingTests covers them role by role.
        route.pattern.contains("/calls") || route.pattern.contains("/dead-letters")
            || route.pattern.contains("/coaching-assignments") || route.pattern.contains("/calibrations")
    }

    @Test func uploadsReadsAndDeadLettersFollowThePolicy() async throws {
        let fixture = try await TenancyFixture.quiet()
        let agentA = fixture.users["agentA"]!
        let forAgentA = UploadPart.metadata(#"{"agentId":"\#(agentA)"}"#)
        #expect(await fixture.upload([forAgentA, .transcript(sampleTranscript)], as: "agentA").status == 403)
        #expect(await fixture.upload([forAgentA, .transcript(sampleTranscript)], as: "operatorA").status == 403)
        #expect(
            await fixture.upload([forAgentA, .transcript(sampleTranscript)], as: "agentB").status == 404,
            "another company's member learns nothing")
        let uploaded = await fixture.upload([forAgentA, .transcript(sampleTranscript)], as: "managerA")
        #expect(uploaded.status == 202)
        let callID = try #require(try object(uploaded)["id"] as? String)
        let forAgentA2 = UploadPart.metadata(#"{"agentEmail":"agenta2@example.com"}"#)
        #expect(
            await fixture.upload([forAgentA2, .transcript(sampleTranscript)], as: "managerA").status == 403,
            "a manager uploads only for their own teams")
        #expect(await fixture.upload([forAgentA2, .transcript(sampleTranscript)], as: "adminA").status == 202)

        let expectations: [(String, Int, Int)] = [
            ("agentA", 200, 1), ("managerA", 200, 1), ("adminA", 200, 2), ("agentA2", 404, 1), ("operatorA", 403, -1),
        ]
        for (actor, detail, listed) in expectations {
            #expect(
                await fixture.send(.get, fixture.callsPath("/\(callID)"), as: actor).status == detail, "\(actor)")
            let list = await fixture.send(.get, fixture.callsPath(), as: actor)
            if listed >= 0 {
                #expect((try object(list)["calls"] as? [Any])?.count == listed, "\(actor) list")
            } else {
                #expect(list.status == 403)
            }
        }
        #expect(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminB").status == 404)
        #expect(
            await fixture.send(.get, "/api/v1/companies/\(fixture.companyB)/calls/\(callID)", as: "adminB").status
                == 404)
        for (actor, status) in [("agentA", 403), ("managerA", 403), ("adminA", 200)] {
            let path = "/api/v1/companies/\(fixture.companyA)/dead-letters"
            #expect(await fixture.send(.get, path, as: actor).status == status, "\(actor) dead letters")
        }
    }
}

@Suite struct CallUploadTests {
    @Test func anImportedTranscriptIsAnalyzedAndReady() async throws {
        let fixture = try await TenancyFixture.quiet()
        let metadata = UploadPart.metadata(
            #"{"agentEmail":"agenta@example.com","direction":"inbound","startedAt":"2026-11-30T14:05:00Z","customerTimeZone":"Europe/Berlin","externalId":"crm-42"}"#
        )
        let response = await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA", key: "upload-1")
        #expect(response.status == 202)
        let body = try object(response)
        #expect(body["status"] as? String == "queued")
        let callID = try #require(body["id"] as? String)
        let replay = await fixture.upload([metadata, .transcript(sampleTranscript)], as: "adminA", key: "upload-1")
        #expect(replay.status == 202)
        #expect(try object(replay)["id"] as? String == callID, "Idempotency-Key honoured")
        #expect(replay.headers["Idempotent-Replayed"] == "true")
        #expect(try await fixture.server.runtime.database.read(.platform) { try JobQueue.pending($0) } == 1)

        try await fixture.server.drainQueue()
        let detail = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(detail["status"] as? String == "ready")
        #expect(detail["progress"] as? Int == 100)
        #expect(detail["externalID"] as? String == "crm-42" || detail["externalId"] as? String == "crm-42")
        let report = try #require(detail["report"] as? [String: Any])
        #expect(report["transcriber"] as? String == "import")
        #expect(report["metrics"] != nil)
        let transcript = await fixture.send(.get, fixture.callsPath("/\(callID)/transcript"), as: "adminA")
        #expect(transcript.status == 200)
        #expect(transcript.bodyText.contains("charged twice"))
        #expect(await fixture.send(.get, fixture.callsPath("/\(callID)/audio"), as: "adminA").status == 404)
    }

    @Test(arguments: [
        (
            "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n<v Agent>Hello, how can I help?\n\n"
                + "00:00:03.500 --> 00:00:06.000\n<v Customer>I want to cancel.\n", "call.vtt", "text/vtt"
        ),
        (
            "1\n00:00:00,000 --> 00:00:03,000\nAgent: Hello, how can I help?\n\n"
                + "2\n00:00:03,500 --> 00:00:06,000\nCustomer: I want to cancel.\n", "call.srt", "application/x-subrip"
        ),
    ])
    func subtitlesAreImportedToo(text: String, filename: String, type: String) async throws {
        let fixture = try await TenancyFixture.quiet()
        let response = await fixture.upload(
            [.transcript(text, filename: filename, type: type)], as: "adminA")
        #expect(response.status == 202, "\(response.bodyText)")
        try await fixture.server.drainQueue()
        let detail = try object(
            await fixture.send(.get, fixture.callsPath("/\(try object(response)["id"] as! String)"), as: "adminA"))
        #expect(detail["status"] as? String == "ready")
    }

    @Test func badUploadsAreRefusedAndLeaveNothingBehind() async throws {
        let fixture = try await TenancyFixture.quiet()
        let backwards = #"""
            {"speakers":[{"id":"a","role":"agent"}],"utterances":[
             {"speaker":"a","start":5,"end":6,"text":"later"},{"speaker":"a","start":5.5,"end":5.8,"text":"overlap"}]}
            """#
        let cases: [([UploadPart], Int, String)] = [
            ([.metadata("{}")], 400, "audio part or a transcript part"),
            ([.audio(Array("just some text, not audio at all".utf8))], 415, "WAV, MP3, FLAC or OGG"),
            ([.audio([])], 400, "empty"),
            ([.transcript(backwards)], 400, "transcript cannot be used"),
            ([.transcript("{not json")], 400, "transcript cannot be used"),
            ([.transcript("plain words", filename: "notes.txt", type: "text/plain")], 415, "JSON, WebVTT or SRT"),
            ([.metadata(#"{"direction":"sideways"}"#), .transcript(sampleTranscript)], 400, "inbound or outbound"),
            ([.metadata(#"{"customerTimeZone":"Mars/Olympus"}"#), .transcript(sampleTranscript)], 400, "IANA"),
            ([.metadata(#"{"agentEmail":"nobody@example.com"}"#), .transcript(sampleTranscript)], 400, "no member"),
            ([.metadata(#"{"colour":"red"}"#), .transcript(sampleTranscript)], 400, "does not accept"),
            (
                [.metadata(#"{"channelMap":{"left":"agent","right":"agent"}}"#), .transcript(sampleTranscript)], 400,
                "channelMap"
            ),
            ([UploadPart(name: "extra", body: [1])], 400, "Unknown part"),
        ]
        for (parts, status, reason) in cases {
            let response = await fixture.upload(parts, as: "adminA")
            #expect(response.status == status, "\(reason): \(response.bodyText)")
            #expect(response.bodyText.contains(reason), "\(reason): \(response.bodyText)")
        }
        var headers = Multipart.headers
        headers.set("Authorization", "Bearer \(fixture.tokens["adminA"]!)")
        let wave = Array("RIFF".utf8) + [0, 0, 1, 0] + Array("WAVEfmt ".utf8) + Array(repeating: 0x11, count: 50_000)
        let cut = Multipart.body([.audio(wave)], close: false)
        let truncated = await fixture.server.client().send(.post, fixture.callsPath(), headers: headers, body: cut)
        #expect(truncated.status == 400, "an upload cut off before its end is refused")
        let plain = await fixture.send(.post, fixture.callsPath(), as: "adminA", json: "{}")
        #expect(plain.status == 415)

        let rows = try await fixture.server.runtime.database.read(.platform) { connection in
            (try connection.query("SELECT id FROM calls").count, try connection.query("SELECT id FROM blobs").count)
        }
        #expect(rows.0 == 0 && rows.1 == 0, "nothing is half-stored")
        let blobRoot = fixture.server.directory.file("blobs")
        let files = FileManager.default.enumerator(atPath: blobRoot)?.compactMap { $0 as? String }.filter {
            $0.hasSuffix(".blob") || $0.contains(".tmp-")
        }
        #expect(files?.isEmpty ?? true, "no blob or temporary file: \(files ?? [])")
    }

    @Test func storedTranscriptsAndAudioAreEncryptedOnDisk() async throws {
        let fixture = try await TenancyFixture.quiet()
        let canary = sampleTranscript.replacingOccurrences(of: "charged twice", with: "zebra canary phrase")
        #expect(await fixture.upload([.transcript(canary)], as: "adminA").status == 202)
        try await fixture.server.drainQueue()
        let blobRoot = fixture.server.directory.file("blobs")
        let files = try #require(FileManager.default.enumerator(atPath: blobRoot)?.compactMap { $0 as? String })
            .filter { $0.hasSuffix(".blob") }
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try #require(FileManager.default.contents(atPath: blobRoot + "/" + file))
            #expect(bytes.range(of: Data("zebra canary".utf8)) == nil, "\(file)")
        }
    }
}

@Suite struct CallAudioTests {
    @Test func aStereoRecordingIsDecodedSplitAndMeasured() async throws {
        let fixture = try await TenancyFixture.quiet()
        let scratch = try TemporaryDirectory()
        let path = try AudioFixtures.stereoCall(in: scratch)
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let metadata = UploadPart.metadata(
            #"{"agentEmail":"agenta@example.com","channelMap":{"left":"agent","right":"customer"}}"#)
        let response = await fixture.upload([metadata, .audio(audio)], as: "managerA")
        #expect(response.status == 202, "\(response.bodyText)")
        let callID = try #require(try object(response)["id"] as? String)
        try await fixture.server.drainQueue()
        let detail = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "agentA"))
        #expect(detail["status"] as? String == "ready", "\(detail)")
        let report = try #require(detail["report"] as? [String: Any])
        let summary = try #require(report["audio"] as? [String: Any])
        #expect(summary["mono"] as? Bool == false)
        let speech = try #require(summary["speechSeconds"] as? [String: Double])
        #expect((speech["agent"] ?? 0) > 1 && (speech["customer"] ?? 0) > 1, "\(speech)")
        let duration = try #require(detail["duration"] as? Double)
        #expect(abs(duration - Double(audio.count - 44) / (16_000 * 4)) < 0.1)

        let ranged = await fixture.send(
            .get, fixture.callsPath("/\(callID)/audio"), as: "agentA", range: "bytes=100-199")
        #expect(ranged.status == 206)
        #expect(ranged.body == Array(audio[100..<200]))
        #expect(ranged.headers["Content-Range"] == "bytes 100-199/\(audio.count)")
        let whole = await fixture.send(.get, fixture.callsPath("/\(callID)/audio"), as: "agentA")
        #expect(whole.status == 200 && whole.body == audio)
        let beyond = await fixture.send(
            .get, fixture.callsPath("/\(callID)/audio"), as: "agentA", range: "bytes=\(audio.count + 5)-")
        #expect(beyond.status == 416)
    }

    @Test func aMonoTelephoneRecordingSaysItIsMono() async throws {
        let fixture = try await TenancyFixture.quiet()
        let scratch = try TemporaryDirectory()
        let audio = Array(try Data(contentsOf: URL(fileURLWithPath: try AudioFixtures.monoTelephoneCall(in: scratch))))
        let response = await fixture.upload([.audio(audio)], as: "adminA")
        #expect(response.status == 202)
        try await fixture.server.drainQueue()
        let detail = try object(
            await fixture.send(.get, fixture.callsPath("/\(try object(response)["id"] as! String)"), as: "adminA"))
        #expect(detail["status"] as? String == "ready")
        let report = try #require(detail["report"] as? [String: Any])
        #expect((report["audio"] as? [String: Any])?["mono"] as? Bool == true)
        #expect((report["notes"] as? [String])?.contains { $0.contains("mono") } == true)
    }

    @Test func corruptAudioFailsWithAReasonAndCanBeRequeued() async throws {
        let fixture = try await TenancyFixture.quiet()
        var corrupt = Array("RIFF".utf8) + [0x24, 0x08, 0, 0] + Array("WAVEfmt ".utf8)
        corrupt += (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 73) }
        let response = await fixture.upload([.audio(corrupt)], as: "adminA")
        #expect(response.status == 202)
        let callID = try #require(try object(response)["id"] as? String)
        try await fixture.server.drainQueue()
        let detail = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(detail["status"] as? String == "failed")
        #expect((detail["failure"] as? String)?.contains("audio") == true, "\(detail)")
        let letters = try object(
            await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/dead-letters", as: "adminA"))
        let letter = try #require((letters["deadLetters"] as? [[String: Any]])?.first)
        #expect(letter["subject"] as? String == callID)
        let letterID = try #require(letter["id"] as? String)
        let requeued = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyA)/dead-letters/\(letterID)/requeue", as: "adminA")
        #expect(requeued.status == 202)
        let again = try object(await fixture.send(.get, fixture.callsPath("/\(callID)"), as: "adminA"))
        #expect(again["status"] as? String == "queued")
        #expect(try await fixture.server.runtime.database.read(.platform) { try JobQueue.pending($0) } == 1)
    }

    @Test func aWorkerThatDiesMidJobLosesNothing() async throws {
        let fixture = try await TenancyFixture.quiet()
        #expect(await fixture.upload([.transcript(sampleTranscript)], as: "adminA").status == 202)
        let database = fixture.server.runtime.database
        // A worker claims the job and is killed before finishing: its lease stays behind.
        let now = Date()
        let claimed = try await database.write(.platform) {
            try JobQueue.claim(owner: "killed", now: now, lease: 2, $0)
        }
        #expect(claimed != nil)
        try await fixture.server.drainQueue()
        #expect(try await database.read(.platform) { try JobQueue.pending($0) } == 1, "invisible while leased")
        try await Task.sleep(for: .seconds(2.1))
        try await fixture.server.drainQueue()
        #expect(try await database.read(.platform) { try JobQueue.pending($0) } == 0)
        let calls = try object(await fixture.send(.get, fixture.callsPath(), as: "adminA"))
        #expect((calls["calls"] as? [[String: Any]])?.first?["status"] as? String == "ready")
    }
}

/// A 200 MB upload through a real `callcoach serve` process, so its memory can be read on its own.
/// It runs once, on the SQLite pass: the point is the streaming path, not the database.
@Suite(.enabled(if: TestDatabase.dialect == .sqlite)) struct LargeUploadTests {
    @Test func aTwoHundredMegabyteUploadIsStoredWithBoundedMemory() async throws {
        let directory = try TemporaryDirectory()
        let creation = try run(
            callcoachExecutable(),
            [
                "admin", "create-company", "--data-dir", directory.path, "--name", "Big", "--admin-email",
                "big@example.com", "--password-stdin",
            ], input: "a-long-upload-password\n")
        #expect(creation.status == 0)
        let server = try await ServeProcess(directory: directory, environment: [:], arguments: ["--workers", "0"])
        defer { server.stop() }
        let audioBytes = 200 * 1_000_000
        let baseline = try #require(server.peakResidentBytes)
        let answer = try await blocking {
            let login = try server.request(
                "POST", "/api/v1/auth/login", body: #"{"email":"big@example.com","password":"a-long-upload-password"}"#)
            let token = try JSON.decode(Tokens.self, from: login.body).accessToken
            let me = try JSON.decode(Me.self, from: try server.request("GET", "/api/v1/me", token: token).body)
            let companyID = try #require(me.memberships.first?.companyId)
            return try StreamedUpload(companyID: companyID, accessToken: token, audioBytes: audioBytes)
                .send(port: server.port)
        }
        #expect(answer.status == 202, "\(answer.text)")
        let peak = try #require(server.peakResidentBytes)
        print(
            "200 MB upload: server peak resident memory \(peak / 1_048_576) MiB (\(baseline / 1_048_576) MiB at start)")
        #expect(peak - baseline < 64 * 1_048_576, "the upload is streamed, never held")

        let blobRoot = directory.file("blobs")
        let stored = (FileManager.default.enumerator(atPath: blobRoot)?.compactMap { $0 as? String } ?? [])
            .compactMap { try? FileManager.default.attributesOfItem(atPath: blobRoot + "/" + $0)[.size] as? Int }
            .reduce(0, +)
        #expect(stored > audioBytes, "every byte is stored, with the encryption's overhead")
    }

    struct Tokens: Decodable { let accessToken: String }

    struct Me: Decodable {
        struct Membership: Decodable { let companyId: String }
        let memberships: [Membership]
    }
}

@Suite struct CallBadInputTests {
    @Test func aFourHourCallIsAnalyzed() async throws {
        let fixture = try await TenancyFixture.quiet()
        var utterances: [String] = []
        for index in 0..<1440 {
            let start = Double(index) * 10
            utterances.append(
                #"{"speaker":"\#(index % 2 == 0 ? "a" : "c")","start":\#(start),"end":\#(start + 9),"text":"turn number \#(index) of a very long call"}"#
            )
        }
        let transcript =
            #"{"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],"utterances":["#
            + utterances.joined(separator: ",") + "]}"
        let response = await fixture.upload([.transcript(transcript)], as: "adminA")
        #expect(response.status == 202, "\(response.bodyText)")
        try await fixture.server.drainQueue()
        let detail = try object(
            await fixture.send(.get, fixture.callsPath("/\(try object(response)["id"] as! String)"), as: "adminA"))
        #expect(detail["status"] as? String == "ready")
        #expect(detail["duration"] as? Double == 14_399)
    }

    @Test func aSilentZeroSecondRecordingFailsWithAReason() async throws {
        let fixture = try await TenancyFixture.quiet()
        let empty = WAVHeader.pcm16(sampleRate: 8000, channels: 1, dataBytes: 0)
        let response = await fixture.upload([.audio(empty)], as: "adminA")
        #expect(response.status == 202, "a well-formed header is accepted; decoding finds it empty")
        try await fixture.server.drainQueue()
        let detail = try object(
            await fixture.send(.get, fixture.callsPath("/\(try object(response)["id"] as! String)"), as: "adminA"))
        #expect(detail["status"] as? String == "failed")
        #expect(detail["failure"] as? String == "the audio file contains no audio", "\(detail)")
        let letters = try await fixture.server.runtime.database.read(.platform) {
            try JobQueue.allDeadLetters(limit: 10, $0)
        }
        #expect(letters.count == 1, "a permanent failure goes straight to the dead letters")
    }

    @Test func aFullDiskRefusesTheUploadAndKeepsNothing() async throws {
        let fixture = try await TenancyFixture.quiet()
        let blobs = fixture.server.directory.file("blobs")
        try? FileManager.default.removeItem(atPath: blobs)
        // A file where the blob folder should be: every write into it fails, as on a full disk.
        try Data().write(to: URL(fileURLWithPath: blobs))
        let response = await fixture.upload([.transcript(sampleTranscript)], as: "adminA")
        #expect(response.status == 507, "\(response.bodyText)")
        #expect(response.bodyText.contains("nothing was kept"))
        let calls = try await fixture.server.runtime.database.read(.platform) {
            try $0.query("SELECT id FROM calls").count
        }
        #expect(calls == 0)
    }

    @Test func aCallRemovedWhileQueuedEndsItsJobQuietly() async throws {
        let fixture = try await TenancyFixture.quiet()
        let callID = try #require(
            try object(await fixture.upload([.transcript(sampleTranscript)], as: "adminA"))["id"] as? String)
        let database = fixture.server.runtime.database
        try await database.write(.platform) { connection in
            try connection.execute("DELETE FROM blobs WHERE id = \(callID)")
            try connection.execute("DELETE FROM calls WHERE id = \(callID)")
        }
        try await fixture.server.drainQueue()
        #expect(try await database.read(.platform) { try JobQueue.pending($0) } == 0)
        #expect(try await database.read(.platform) { try JobQueue.allDeadLetters(limit: 10, $0) }.isEmpty)
        #expect(fixture.server.logs.lines.contains { $0.contains("pipeline.call_missing") })
    }
}

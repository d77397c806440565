import CallCoachAnalysis
import CallCoachAudio
import CallCoachCore
import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// Calls: streamed uploads into the encrypted store, the queue that processes them, and what
/// members may read of them. Every method takes the caller's tenant scope.
final class CallService: Sendable {
    let database: any Database
    let blobs: BlobStore
    let identity: IdentityService
    let logger: Logger
    let metrics: Metrics
    let maxUploadBytes: Int

    static let processJob = "process_call"
    static let maxTranscriptBytes = 20 * 1024 * 1024

    init(
        database: any Database, blobs: BlobStore, identity: IdentityService, logger: Logger, metrics: Metrics,
        maxUploadBytes: Int
    ) {
        self.database = database
        self.blobs = blobs
        self.identity = identity
        self.logger = logger
        self.metrics = metrics
        self.maxUploadBytes = maxUploadBytes
    }

    /// The `metadata` part of an upload.
    struct Metadata: Decodable {
        var agentEmail: String?
        var agentId: String?
        var teamId: String?
        var direction: String?
        var startedAt: String?
        var customerPhone: String?
        var customerTimeZone: String?
        var externalId: String?
        var debtId: String?
        var channelMap: [String: String]?

        static let fields: [StrictJSON.Field] = [
            .text("agentEmail", 3...254, required: false), .text("agentId", 1...64, required: false),
            .text("teamId", 1...64, required: false), .text("direction", 6...8, required: false),
            .text("startedAt", 10...40, required: false), .text("customerPhone", 3...32, required: false),
            .text("customerTimeZone", 1...64, required: false), .text("externalId", 1...200, required: false),
            .text("debtId", 1...200, required: false), .object("channelMap", required: false),
        ]
    }

    /// What the upload carried, gathered while its parts streamed past.
    private final class Received {
        var metadata: [UInt8] = []
        var audio: BlobWriter?
        var audioFormat: AudioFormat?
        var audioHeader: [UInt8] = []
        var transcript: [UInt8] = []
        var transcriptHead: MultipartParser.PartHead?
        var part: String?
        var seen: Set<String> = []

        deinit { audio?.abort() }
    }

    /// Where a new call's blobs go: its id, the current key version, and its two blob keys.
    private struct Slot {
        let callID: String
        let keyVersion: Int
        let audioKey: BlobKey
        let transcriptKey: BlobKey
    }

    private func slot(_ scope: TenantScope) async throws -> Slot {
        let callID = Identifier.make()
        let keyVersion = try await database.read(scope.context) { try BlobMaintenance.currentKeyVersion($0) }
        guard let audioKey = BlobKey(scope: scope, collection: "audio", id: callID),
            let transcriptKey = BlobKey(scope: scope, collection: "transcripts", id: callID)
        else { throw HTTPError.badRequest }
        return Slot(callID: callID, keyVersion: keyVersion, audioKey: audioKey, transcriptKey: transcriptKey)
    }

    private func earlier(_ scope: TenantScope, idempotencyKey: String?) async throws -> Call? {
        guard let idempotencyKey else { return nil }
        return try await database.read(scope.context) {
            try CallRecords(scope: scope).call(idempotencyKey: idempotencyKey, $0)
        }
    }

    /// Accepts `multipart/form-data` with a `metadata` part and an `audio` or `transcript` part,
    /// streaming audio straight into the encrypted store. Returns the (possibly earlier) call.
    func upload(_ scope: TenantScope, request: Request) async throws -> (call: Call, created: Bool) {
        guard let boundary = MultipartParser.boundary(fromContentType: request.headers["Content-Type"]) else {
            throw HTTPError(415, detail: "Upload calls as multipart/form-data.")
        }
        let idempotencyKey = try Self.idempotencyKey(request)
        if let earlier = try await earlier(scope, idempotencyKey: idempotencyKey) { return (earlier, false) }
        let slot = try await slot(scope)
        let received = Received()
        var parser = MultipartParser(boundary: boundary)
        do {
            for try await chunk in request.body {
                for event in try parser.feed(chunk) {
                    try take(event, into: received, slot: slot)
                }
                if parser.isComplete { break }
            }
            try parser.finish()
        } catch let failure as MultipartParser.Failure {
            received.audio?.abort()
            if case .malformed(let reason) = failure {
                throw HTTPError(400, detail: "The upload is not valid multipart/form-data: \(reason).")
            }
            throw HTTPError.badRequest
        } catch {
            received.audio?.abort()
            throw error
        }
        return try await commit(received, slot: slot, scope: scope, idempotencyKey: idempotencyKey)
    }

    /// Stores a recording from a file with the metadata of its sidecar, as an upload would; the
    /// telephony drop folder's way in.
    func ingest(_ scope: TenantScope, audioPath: String, metadata: [UInt8], idempotencyKey: String) async throws
        -> (call: Call, created: Bool)
    {
        if let earlier = try await earlier(scope, idempotencyKey: idempotencyKey) { return (earlier, false) }
        guard let file = FileHandle(forReadingAtPath: audioPath) else {
            throw HTTPError(400, detail: "The recording cannot be read.")
        }
        defer { try? file.close() }
        let slot = try await slot(scope)
        let received = Received()
        received.metadata = metadata
        do {
            while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {
                try takeAudio(Array(chunk), into: received, slot: slot)
            }
            if received.audio == nil { try takeAudio([], into: received, slot: slot, final: true) }
        } catch {
            received.audio?.abort()
            throw error
        }
        return try await commit(received, slot: slot, scope: scope, idempotencyKey: idempotencyKey)
    }

    /// Checks what arrived, finishes its blob and records the call with its job, all or nothing.
    private func commit(_ received: Received, slot: Slot, scope: TenantScope, idempotencyKey: String?) async throws
        -> (call: Call, created: Bool)
    {
        // Everything has arrived: check it before anything is committed.
        var call = Call(
            id: slot.callID, companyID: scope.companyID, source: .audio, mediaFormat: "", uploadedBy: scope.actorID,
            createdAt: identity.clock())
        try await apply(
            try StrictJSON.decode(Metadata.self, fromPart: received.metadata, fields: Metadata.fields), to: &call,
            scope: scope)
        var transcript: Transcript?
        switch (received.audio, received.transcriptHead) {
        case (.some, nil):
            call.mediaFormat = received.audioFormat?.rawValue ?? ""
        case (nil, let head?):
            let format = TranscriptFormat.detect(
                bytes: received.transcript, contentType: head.contentType, filename: head.filename)
            guard let format else {
                throw HTTPError(415, detail: "The transcript must be JSON, WebVTT or SRT.")
            }
            do {
                transcript = try TranscriptParser.parse(received.transcript, format: format)
            } catch {
                throw HTTPError(400, detail: "The transcript cannot be used: \(error.message).")
            }
            call.source = .transcript
            call.mediaFormat = format.rawValue
        case (nil, nil):
            throw HTTPError(400, detail: "Send an audio part or a transcript part.")
        case (.some, .some):
            throw HTTPError(400, detail: "Send an audio part or a transcript part, not both.")
        }

        var stored: (size: Int, sha256: String)?
        if let writer = received.audio {
            let digest = try Self.storing { try writer.finish() }
            stored = (writer.size, digest)
        } else if let transcript {
            let writer = try Self.storing {
                try blobs.writer(slot.transcriptKey, version: 1, keyVersion: slot.keyVersion)
            }
            let bytes = Array(try JSON.encode(transcript))
            try Self.storing { try writer.write(bytes) }
            let digest = try Self.storing { try writer.finish() }
            stored = (bytes.count, digest)
        }
        let key = call.source == .audio ? slot.audioKey : slot.transcriptKey
        let finished = call
        let blob = stored
        do {
            try await database.write(scope.context) { connection in
                try CallRecords(scope: scope).insert(finished, idempotencyKey: idempotencyKey, connection)
                if let blob {
                    try BlobVersions(scope: scope).record(
                        key, version: 1, keyVersion: slot.keyVersion, size: blob.size, sha256: blob.sha256,
                        at: finished.createdAt, connection)
                }
                try JobQueue.enqueue(
                    companyID: scope.companyID, kind: Self.processJob, subject: finished.id, at: finished.createdAt,
                    connection)
            }
        } catch {
            blobs.remove(key, version: 1)
            if let earlier = try? await earlier(scope, idempotencyKey: idempotencyKey) { return (earlier, false) }
            throw error
        }
        metrics.increment("callcoach_calls_uploaded_total")
        logger.info("call.uploaded", "", [.companyID: .string(scope.companyID), .callID: .string(call.id)])
        return (call, true)
    }

    /// Routes one parser event to where its part's bytes belong.
    private func take(_ event: MultipartParser.Event, into received: Received, slot: Slot) throws {
        switch event {
        case .head(let head):
            guard ["metadata", "audio", "transcript"].contains(head.name) else {
                throw HTTPError(400, detail: "Unknown part; send metadata and audio or transcript.")
            }
            guard received.seen.insert(head.name).inserted else {
                throw HTTPError(400, detail: "A part was sent twice.")
            }
            received.part = head.name
            if head.name == "transcript" { received.transcriptHead = head }
        case .content(let bytes):
            switch received.part {
            case "metadata":
                guard received.metadata.count + bytes.count <= 64 * 1024 else {
                    throw HTTPError(413, detail: "The metadata part is larger than 64 KiB.")
                }
                received.metadata += bytes
            case "transcript":
                guard received.transcript.count + bytes.count <= Self.maxTranscriptBytes else {
                    throw HTTPError(413, detail: "The transcript part is larger than 20 MiB.")
                }
                received.transcript += bytes
            case "audio":
                try takeAudio(bytes, into: received, slot: slot)
            default:
                throw HTTPError.badRequest
            }
        case .end:
            if received.part == "audio" {
                if received.audio == nil {
                    try takeAudio([], into: received, slot: slot, final: true)
                }
            }
            received.part = nil
        }
    }

    /// Audio bytes: sniffed from the first bytes (anything but WAV, MP3, FLAC or OGG is a 415),
    /// then streamed into the encrypted store.
    private func takeAudio(_ bytes: [UInt8], into received: Received, slot: Slot, final: Bool = false) throws {
        if let writer = received.audio {
            try Self.storing { try writer.write(bytes) }
            return
        }
        received.audioHeader += bytes
        guard received.audioHeader.count >= 16 || final else { return }
        guard !received.audioHeader.isEmpty else { throw HTTPError(400, detail: "The audio part is empty.") }
        guard let format = AudioFormat.sniff(received.audioHeader) else {
            throw HTTPError(415, detail: "The audio must be WAV, MP3, FLAC or OGG.")
        }
        received.audioFormat = format
        let writer = try Self.storing { try blobs.writer(slot.audioKey, version: 1, keyVersion: slot.keyVersion) }
        received.audio = writer
        try Self.storing { try writer.write(received.audioHeader) }
        received.audioHeader = []
    }

    /// Runs a store write, turning a refused disk into a clear answer.
    static func storing<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch BlobError.writeFailed {
            throw HTTPError(507, detail: "The server could not store the upload; nothing was kept. Try again later.")
        }
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw HTTPError(400, detail: "Idempotency-Key must be 1 to 200 visible ASCII characters.")
        }
        return key
    }

    /// Checks the metadata and the uploader's right to upload this agent's call.
    private func apply(_ metadata: Metadata, to call: inout Call, scope: TenantScope) async throws {
        if let direction = metadata.direction {
            guard ["inbound", "outbound"].contains(direction) else {
                throw StrictJSON.invalid("The field \"direction\" must be inbound or outbound.")
            }
            call.direction = direction
        }
        if let startedAt = metadata.startedAt {
            guard let date = ISO8601DateFormatter().date(from: startedAt) else {
                throw StrictJSON.invalid("The field \"startedAt\" must be an ISO 8601 date and time.")
            }
            call.startedAt = date
        }
        if let zone = metadata.customerTimeZone {
            guard TimeZone(identifier: zone) != nil else {
                throw StrictJSON.invalid("The field \"customerTimeZone\" must be an IANA time-zone name.")
            }
            call.customerTimeZone = zone
        }
        if let map = metadata.channelMap {
            let roles = Set(map.values)
            guard Set(map.keys).isSubset(of: ["left", "right"]), roles.isSubset(of: ["agent", "customer"]),
                roles.count == map.count
            else {
                throw StrictJSON.invalid(
                    "The field \"channelMap\" must map left and right to agent and customer, e.g. {\"left\":\"agent\",\"right\":\"customer\"}."
                )
            }
            call.channelMap = map
        }
        call.customerPhone = metadata.customerPhone
        call.externalID = metadata.externalId
        call.debtID = metadata.debtId
        let members = try await database.read(scope.context) { try CompanyDirectory(scope: scope).members($0) }
        var agent: Membership?
        if let email = metadata.agentEmail {
            guard let address = EmailAddress(email), let match = members.first(where: { $0.user.email == address })
            else {
                throw StrictJSON.invalid("The field \"agentEmail\" names no member of this company.")
            }
            agent = match.membership
        } else if let id = metadata.agentId {
            guard let match = members.first(where: { $0.user.id == id }) else {
                throw StrictJSON.invalid("The field \"agentId\" names no member of this company.")
            }
            agent = match.membership
        }
        if let teamID = metadata.teamId {
            let teams = try await database.read(scope.context) { try CompanyDirectory(scope: scope).teams($0) }
            guard teams.contains(where: { $0.id == teamID }) else {
                throw StrictJSON.invalid("The field \"teamId\" names no team of this company.")
            }
            call.teamID = teamID
        }
        call.agentID = agent?.userID
        if call.teamID == nil { call.teamID = agent?.teamIDs.first }
        let relation =
            agent.map { scope.relation(toOwner: $0.userID, ownerTeamIDs: $0.teamIDs) }
            ?? (call.teamID.map { scope.membership.teamIDs.contains($0) ? .sameTeam : .sameCompany } ?? .sameCompany)
        guard scope.allows(.uploadCalls, on: relation) else {
            throw IdentityError(.forbidden)
        }
    }

    // MARK: Reading

    /// How the actor stands to a call: its agent, its team, or just the company.
    static func relation(of scope: TenantScope, to call: Call) -> Relation {
        if call.agentID == scope.actorID { return .own }
        if let team = call.teamID, scope.membership.teamIDs.contains(team) { return .sameTeam }
        return .sameCompany
    }

    /// The call if the actor may read it; a call out of reach is answered like a missing one.
    func call(_ scope: TenantScope, id: String) async throws -> Call {
        guard let call = try await database.read(scope.context, { try CallRecords(scope: scope).call(id: id, $0) }),
            scope.allows(.readCalls, on: Self.relation(of: scope, to: call))
        else { throw IdentityError(.notFound) }
        return call
    }

    /// The call if the actor may read it and act on it with `capability`: out of reading reach it
    /// is missing (404), within reach but beyond the capability's it is forbidden (403).
    func call(_ scope: TenantScope, id: String, for capability: Capability) async throws -> Call {
        let call = try await call(scope, id: id)
        guard scope.allows(capability, on: Self.relation(of: scope, to: call)) else { throw IdentityError(.forbidden) }
        return call
    }

    /// Which of these calls the actor may read, each looked up once.
    func readable(_ scope: TenantScope, _ ids: some Sequence<String>) async -> Set<String> {
        var readable: Set<String> = []
        for id in Set(ids) where (try? await call(scope, id: id)) != nil { readable.insert(id) }
        return readable
    }

    /// The calls within the actor's reach for `capability` (reading, unless exporting), newest first.
    func list(
        _ scope: TenantScope, filter: CallRecords.Filter, after cursor: (Date, String)?, limit: Int,
        capability: Capability = .readCalls
    ) async throws -> [Call] {
        let visibility: CallRecords.Visibility
        switch Policy.reach(of: scope.membership, for: capability) {
        case .company?: visibility = .company
        case .team?: visibility = .teams(scope.membership.teamIDs, userID: scope.actorID)
        case .own?: visibility = .own(userID: scope.actorID)
        case nil: throw IdentityError(.forbidden)
        }
        return try await database.read(scope.context) {
            try CallRecords(scope: scope).list(visibility: visibility, filter: filter, after: cursor, limit: limit, $0)
        }
    }

    /// The stored analysis of a ready call, as JSON text.
    func report(_ scope: TenantScope, id: String) async throws -> String? {
        _ = try await call(scope, id: id)
        return try await database.read(scope.context) { try CallRecords(scope: scope).report(id: id, $0) }
    }

    /// A reader for the current version of one of the call's blobs.
    func reader(_ scope: TenantScope, call: Call, collection: String) async throws -> BlobReader {
        guard let key = BlobKey(scope: scope, collection: collection, id: call.id),
            let version = try await database.read(scope.context, { try BlobVersions(scope: scope).current(key, $0) })
        else { throw IdentityError(.notFound) }
        do {
            return try blobs.reader(key, version: version)
        } catch {
            logger.error("blob.unreadable", "a stored blob could not be opened", [.callID: .string(call.id)])
            throw HTTPError(500, detail: "The stored file could not be read.")
        }
    }
}

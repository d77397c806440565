import CallCoachCore
import CallCoachHTTP
import CallCoachStore
import Foundation

/// `/api/v1/companies/{companyId}/calls…` and the dead letters of the call pipeline.
struct CallRoutes: Sendable {
    let calls: CallService

    struct Page: Encodable {
        let calls: [Call]
        let nextCursor: String?
    }

    struct Accepted: Encodable {
        let id: String
        let status: CallStatus
    }

    func register(in router: inout Router) {
        let base = "/api/v1/companies/{companyId}"
        router.add(.post, base + "/calls", access: Access.company(.uploadCalls), bodyLimit: calls.maxUploadBytes) {
            request in
            let (call, created) = try await calls.upload(try request.scope(), request: request)
            var response = try Response.json(Accepted(id: call.id, status: call.status), status: 202)
            response.headers.set("Location", "/api/v1/companies/\(call.companyID)/calls/\(call.id)")
            if !created { response.headers.set("Idempotent-Replayed", "true") }
            return response
        }
        router.add(.get, base + "/calls", access: Access.company(.readCalls)) { request in
            let limit = try Self.integer(request.queryValue("limit"), in: 1...200) ?? 50
            var filter = CallRecords.Filter()
            filter.agentID = request.queryValue("agentId")
            filter.teamID = request.queryValue("teamId")
            if let status = request.queryValue("status") {
                guard let value = CallStatus(rawValue: status) else {
                    throw HTTPError(400, detail: "status must be one of \(CallStatus.allCases.map(\.rawValue)).")
                }
                filter.status = value
            }
            filter.from = try Self.date(request.queryValue("from"), "from")
            filter.to = try Self.date(request.queryValue("to"), "to")
            let cursor = try request.queryValue("cursor").map(Self.decodeCursor)
            let page = try await calls.list(try request.scope(), filter: filter, after: cursor, limit: limit)
            let next = page.count == limit ? page.last.map { Self.encodeCursor($0.createdAt, $0.id) } : nil
            return try .json(Page(calls: page, nextCursor: next))
        }
        router.add(.get, base + "/calls/{callId}", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"))
            let report = try await calls.report(scope, id: call.id)
            var body = Array(try JSON.encode(call))
            // The report is stored as JSON text; splice it in rather than decoding and re-encoding it.
            if let report {
                body.removeLast()
                body += Array(",\"report\":\(report)}".utf8)
            }
            return Response(status: 200, headers: ["Content-Type": "application/json"], body: body)
        }
        router.add(.get, base + "/calls/{callId}/transcript", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"))
            guard call.status == .ready else {
                throw HTTPError(409, detail: "The transcript is not ready yet; the call is \(call.status.rawValue).")
            }
            let reader = try await calls.reader(scope, call: call, collection: "transcripts")
            return Response(
                status: 200, headers: ["Content-Type": "application/json"], body: try reader.read(0..<reader.size))
        }
        router.add(.get, base + "/calls/{callId}/audio", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"))
            guard call.source == .audio else { throw HTTPError(404, detail: "This call has no audio.") }
            let reader = try await calls.reader(scope, call: call, collection: "audio")
            return try Self.ranged(reader, request: request, contentType: Self.mediaType(call.mediaFormat))
        }
        router.add(.get, base + "/dead-letters", access: Access.company(.manageFailedJobs)) { request in
            let scope = try request.scope()
            let letters = try await calls.database.read(scope.context) {
                try DeadLetters(scope: scope).all(limit: 200, $0)
            }
            return try .json(["deadLetters": letters])
        }
        router.add(.post, base + "/dead-letters/{letterId}/requeue", access: Access.company(.manageFailedJobs)) {
            request in
            let scope = try request.scope()
            let id = try request.parameter("letterId")
            let now = calls.identity.clock()
            let letter = try await calls.database.write(scope.context) { connection -> DeadLetter? in
                guard let letter = try DeadLetters(scope: scope).requeue(id: id, at: now, connection) else {
                    return nil
                }
                try CallRecords(scope: scope).update(
                    id: letter.subject, status: .queued, progress: 0, at: now, connection)
                try calls.identity.audit(
                    scope, "dead_letter.requeued", target: letter.subject, clientAddress: request.remoteAddress,
                    connection)
                return letter
            }
            guard letter != nil else { throw IdentityError(.notFound) }
            return Response(status: 202)
        }
        router.add(.get, "/api/v1/platform/dead-letters", access: Access.platform(.manageDeadLetters)) { _ in
            try .json([
                "deadLetters": try await calls.database.read(.platform) { try JobQueue.allDeadLetters(limit: 500, $0) }
            ])
        }
        router.add(
            .post, "/api/v1/platform/dead-letters/{letterId}/requeue", access: Access.platform(.manageDeadLetters)
        ) { request in
            let principal = try request.principal()
            let id = try request.parameter("letterId")
            let now = calls.identity.clock()
            let letter = try await calls.database.write(.platform) { connection -> DeadLetter? in
                guard let letter = try JobQueue.requeue(id: id, at: now, connection) else { return nil }
                let scope = TenantScope.system(companyID: letter.companyID)
                try CallRecords(scope: scope).update(
                    id: letter.subject, status: .queued, progress: 0, at: now, connection)
                try calls.identity.auditPlatform(
                    actorID: principal.userID, "dead_letter.requeued", target: letter.subject,
                    details: ["company": letter.companyID], clientAddress: request.remoteAddress, connection)
                return letter
            }
            guard letter != nil else { throw HTTPError(404, detail: "No dead letter has this id.") }
            return Response(status: 202)
        }
    }

    /// The whole blob, or the one byte range a `Range: bytes=…` header asks for (206), or 416.
    static func ranged(_ reader: BlobReader, request: Request, contentType: String) throws -> Response {
        var headers: HTTPHeaders = ["Content-Type": contentType, "Accept-Ranges": "bytes"]
        guard let header = request.headers["Range"] else {
            // Responses are built in memory, so a long recording is served in ranges only.
            guard reader.size <= wholeResponseLimit else {
                throw HTTPError(400, detail: "This recording is large; request it in ranges (Range: bytes=…).")
            }
            return Response(status: 200, headers: headers, body: try reader.read(0..<reader.size))
        }
        guard let range = byteRange(header, size: reader.size) else {
            headers.set("Content-Range", "bytes */\(reader.size)")
            return Response(status: 416, headers: headers)
        }
        headers.set("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(reader.size)")
        return Response(status: 206, headers: headers, body: try reader.read(range))
    }

    static let wholeResponseLimit = 32 * 1024 * 1024

    /// One `bytes=start-end`, `bytes=start-` or `bytes=-suffix` range within `size`; `nil` when unsatisfiable.
    static func byteRange(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(","), size > 0 else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        // At most 8 MiB per answer, so a range request never holds a whole recording in memory.
        let cap = 8 * 1024 * 1024
        if spec[0].isEmpty {
            guard let suffix = Int(spec[1]), suffix > 0 else { return nil }
            return max(0, size - min(suffix, cap))..<size
        }
        guard let start = Int(spec[0]), start >= 0, start < size else { return nil }
        let end = spec[1].isEmpty ? size - 1 : Int(spec[1]).map { min($0, size - 1) }
        guard let end, end >= start else { return nil }
        return start..<min(end + 1, start + cap)
    }

    static func mediaType(_ format: String) -> String {
        switch format {
        case "wav": "audio/wav"
        case "mp3": "audio/mpeg"
        case "flac": "audio/flac"
        case "ogg": "audio/ogg"
        default: "application/octet-stream"
        }
    }

    static func integer(_ text: String?, in range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw HTTPError(400, detail: "A number is out of range (\(range.lowerBound)–\(range.upperBound)).")
        }
        return value
    }

    static func date(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw HTTPError(400, detail: "\(name) must be an ISO 8601 date and time.")
        }
        return date
    }

    static func encodeCursor(_ time: Date, _ id: String) -> String {
        Data("\(Int64(time.timeIntervalSince1970 * 1000)):\(id)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ text: String) throws -> (Date, String) {
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":"), let millis = Int64(decoded[..<colon])
        else { throw HTTPError(400, detail: "The cursor is not one this server issued.") }
        return (Date(timeIntervalSince1970: Double(millis) / 1000), String(decoded[decoded.index(after: colon)...]))
    }
}

import CallCoachAnalysis
import CallCoachCore
import CallCoachEmbeddings
import CallCoachHTTP
import CallCoachScoring
import CallCoachStore
import Foundation
import Synchronization

/// A company's scorecards: created from a template or a definition, edited into new versions,
/// switched on and off, every change audited; and the evaluations of its calls.
struct ScorecardService: Sendable {
    let database: any Database
    let identity: IdentityService
    let calls: CallService
    /// How long after an evaluation its answers may be disputed.
    var disputeWindow: TimeInterval = Review.defaultDisputeWindow

    /// What the API shows of a scorecard.
    struct View: Encodable {
        let id: String
        let version: Int
        let name: String
        let active: Bool
        let createdAt: Date
        let definition: StoredJSON?
        let versions: [Int]?
    }

    /// The body of `POST …/scorecards` and `PUT …/scorecards/{id}`: a definition (or, to create,
    /// a template's id), and whether calls are scored with it.
    struct Change {
        let definition: Scorecard
        let text: String
        let active: Bool?
    }

    static let bodyLimit = 256 * 1024

    /// Reads a change strictly: `definition` or `template` (creating only), optional `active`.
    static func change(_ bytes: [UInt8], creating: Bool) throws -> Change {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw StrictJSON.invalid("The body must be one JSON object.")
        }
        let allowed: Set<String> = creating ? ["definition", "template", "active"] : ["definition", "active"]
        guard Set(object.keys).isSubset(of: allowed) else {
            throw StrictJSON.invalid("The body takes only \(allowed.sorted().joined(separator: ", ")).")
        }
        var active: Bool?
        if let value = object["active"] {
            guard isJSONBoolean(value), let flag = value as? Bool else {
                throw StrictJSON.invalid("The field \"active\" must be true or false.")
            }
            active = flag
        }
        let definition: Any
        switch (object["definition"], object["template"]) {
        case (let given?, nil): definition = given
        case (nil, let name as String):
            guard let template = ScorecardTemplates.template(name),
                let parsed = try? JSONSerialization.jsonObject(with: Data(template.json.utf8))
            else {
                throw StrictJSON.invalid(
                    "The template must be one of \(ScorecardTemplates.all.map(\.id).joined(separator: ", ")).")
            }
            definition = parsed
        default:
            throw StrictJSON.invalid(creating ? "Give either \"definition\" or \"template\"." : "Give \"definition\".")
        }
        let scorecard: Scorecard
        do {
            scorecard = try ScorecardParser.parse(definition)
        } catch {
            throw StrictJSON.invalid("The scorecard is not valid at \(error.path): \(error.message).")
        }
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: definition, options: [.sortedKeys]), as: UTF8.self)
        return Change(definition: scorecard, text: text, active: active)
    }

    func list(_ scope: TenantScope) async throws -> [View] {
        try await database.read(scope.context) { try ScorecardRecords(scope: scope).current($0) }.map {
            View(
                id: $0.id, version: $0.version, name: $0.name, active: $0.active, createdAt: $0.createdAt,
                definition: nil, versions: nil)
        }
    }

    func view(_ scope: TenantScope, id: String) async throws -> View {
        let versions = try await database.read(scope.context) {
            try ScorecardRecords(scope: scope).versions(id: id, $0)
        }
        guard let current = versions.first else { throw IdentityError(.notFound) }
        return View(
            id: current.id, version: current.version, name: current.name, active: current.active,
            createdAt: current.createdAt, definition: StoredJSON(text: current.definition),
            versions: versions.map(\.version))
    }

    func create(_ scope: TenantScope, _ change: Change, clientAddress: String?) async throws -> View {
        let id = Identifier.make()
        try await database.write(scope.context) { connection in
            try ScorecardRecords(scope: scope).save(
                StoredScorecard(
                    id: id, version: 1, name: change.definition.name, definition: change.text,
                    active: change.active ?? true, createdAt: identity.clock(), createdBy: scope.actorID), connection)
            try identity.audit(
                scope, "scorecard.created", target: id, details: ["version": "1", "name": change.definition.name],
                clientAddress: clientAddress, connection)
        }
        return try await view(scope, id: id)
    }

    /// An edit: a new version, which keeps the active flag unless the change sets it.
    func edit(_ scope: TenantScope, id: String, _ change: Change, clientAddress: String?) async throws -> View {
        try await database.write(scope.context) { connection in
            let records = ScorecardRecords(scope: scope)
            guard let current = try records.versions(id: id, connection).first else { throw IdentityError(.notFound) }
            let version = current.version + 1
            try records.save(
                StoredScorecard(
                    id: id, version: version, name: change.definition.name, definition: change.text,
                    active: change.active ?? current.active, createdAt: identity.clock(), createdBy: scope.actorID),
                connection)
            try identity.audit(
                scope, "scorecard.edited", target: id,
                details: ["version": String(version), "name": change.definition.name], clientAddress: clientAddress,
                connection)
        }
        return try await view(scope, id: id)
    }

    func setActive(_ scope: TenantScope, id: String, _ active: Bool, clientAddress: String?) async throws -> View {
        try await database.write(scope.context) { connection in
            let records = ScorecardRecords(scope: scope)
            guard let current = try records.versions(id: id, connection).first else { throw IdentityError(.notFound) }
            try records.setActive(id: id, version: current.version, active, connection)
            try identity.audit(
                scope, active ? "scorecard.activated" : "scorecard.deactivated", target: id,
                details: ["version": String(current.version)], clientAddress: clientAddress, connection)
        }
        return try await view(scope, id: id)
    }

    /// The evaluations of a call the actor may read.
    func evaluations(_ scope: TenantScope, callID: String) async throws -> [EvaluationView] {
        let call = try await calls.call(scope, id: callID)
        return try await database.read(scope.context) {
            try ScorecardRecords(scope: scope).evaluations(callID: call.id, $0)
        }.map {
            EvaluationView(
                scorecardId: $0.scorecardID, scorecardVersion: $0.scorecardVersion, createdAt: $0.createdAt,
                result: StoredJSON(text: $0.result))
        }
    }

    /// Applies a person's action to the call's evaluation against one scorecard, stores it and
    /// audits it. The call must be within the actor's reach for `capability`; a call out of reading
    /// reach is answered like a missing one.
    func review(
        _ scope: TenantScope, callID: String, scorecardID: String, capability: Capability, action: String,
        details: [String: String], clientAddress: String?, notifyResolvers: Bool = false,
        _ change:
            @escaping @Sendable (CallEvaluation, Scorecard, _ evaluatedAt: Date, _ now: Date) throws -> CallEvaluation
    ) async throws -> EvaluationView {
        let call = try await calls.call(scope, id: callID, for: capability)
        let now = identity.clock()
        try await database.write(scope.context) { connection in
            let records = ScorecardRecords(scope: scope)
            guard let stored = try records.evaluation(callID: call.id, scorecardID: scorecardID, connection),
                let version = try records.versions(id: scorecardID, connection).first(where: {
                    $0.version == stored.scorecardVersion
                }),
                let card = version.scorecard, let evaluation = stored.evaluation
            else { throw IdentityError(.notFound) }
            let changed: CallEvaluation
            do {
                changed = try change(evaluation, card, stored.createdAt, now)
            } catch let error as ReviewError {
                throw StrictJSON.invalid(error.description)
            }
            try records.record(
                StoredEvaluation(
                    callID: call.id, scorecardID: scorecardID, scorecardVersion: stored.scorecardVersion,
                    total: changed.total, complete: changed.complete,
                    result: String(decoding: try JSON.encode(changed), as: UTF8.self), createdAt: stored.createdAt),
                connection)
            try identity.audit(
                scope, action, target: call.id,
                details: details.merging(["scorecard": scorecardID]) { first, _ in first },
                clientAddress: clientAddress, connection)
            if notifyResolvers {
                try Notifications.afterDispute(scope, call: call, links: identity.settings.publicURL, connection)
            }
        }
        guard let view = try await evaluations(scope, callID: call.id).first(where: { $0.scorecardId == scorecardID })
        else { throw IdentityError(.notFound) }
        return view
    }

    /// Per criterion of the scorecard's newest version: how often automatic answers match what
    /// people settled on, and Cohen's kappa, over every evaluation of the company's calls.
    func agreement(_ scope: TenantScope, id: String) async throws -> [CriterionAgreement] {
        let (versions, stored) = try await database.read(scope.context) { connection in
            let records = ScorecardRecords(scope: scope)
            return (try records.versions(id: id, connection), try records.evaluations(scorecardID: id, connection))
        }
        guard let card = versions.first?.scorecard else { throw IdentityError(.notFound) }
        return Agreement.compute(stored.compactMap(\.evaluation), criteria: card.criteria.map(\.id))
    }

    /// Queues every ready call in the filter (up to 10,000) to be scored again with the card's
    /// newest version, in the background.
    func rescore(_ scope: TenantScope, id: String, filter: CallRecords.Filter, clientAddress: String?) async throws
        -> Int
    {
        let now = identity.clock()
        return try await database.write(scope.context) { connection in
            guard let current = try ScorecardRecords(scope: scope).versions(id: id, connection).first else {
                throw IdentityError(.notFound)
            }
            var filter = filter
            filter.status = .ready
            var queued = 0
            var cursor: (Date, String)?
            while queued < 10_000 {
                let page = try CallRecords(scope: scope).list(
                    visibility: .company, filter: filter, after: cursor, limit: 500, connection)
                for call in page {
                    try JobQueue.enqueue(
                        companyID: scope.companyID, kind: CallPipeline.rescoreJob, subject: "\(call.id) \(id)", at: now,
                        connection)
                    queued += 1
                }
                guard page.count == 500, let last = page.last else { break }
                cursor = (last.createdAt, last.id)
            }
            try identity.audit(
                scope, "scorecard.rescore_queued", target: id,
                details: ["version": String(current.version), "calls": String(queued)], clientAddress: clientAddress,
                connection)
            return queued
        }
    }

    /// Every evaluation against a scorecard of the calls within the actor's export reach (up to
    /// 10,000, newest first) as CSV: one row a call, one column per criterion of the newest version.
    func export(_ scope: TenantScope, id: String, filter: CallRecords.Filter) async throws -> String {
        // Every evaluation against the card at once; the calls' pages decide which are shown.
        let (versions, stored) = try await database.read(scope.context) { connection in
            let records = ScorecardRecords(scope: scope)
            return (try records.versions(id: id, connection), try records.evaluations(scorecardID: id, connection))
        }
        guard let card = versions.first?.scorecard else { throw IdentityError(.notFound) }
        let byCall = Dictionary(stored.map { ($0.callID, $0) }, uniquingKeysWith: { first, _ in first })
        let criteria = card.criteria.map(\.id)
        var lines = [
            (["callId", "agentId", "teamId", "startedAt", "scorecardVersion", "total", "complete", "autoFailed"]
                + criteria)
                .map(Self.csvField).joined(separator: ",")
        ]
        var cursor: (Date, String)?
        var seen = 0
        let format = ISO8601DateFormatter()
        while seen < 10_000 {
            let page = try await calls.list(scope, filter: filter, after: cursor, limit: 200, capability: .exportData)
            for call in page {
                seen += 1
                guard let stored = byCall[call.id], let evaluation = stored.evaluation else { continue }
                let answers = Dictionary(evaluation.answers.map { ($0.criterionID, $0.value ?? $0.status.rawValue) }) {
                    first, _ in first
                }
                let fields =
                    [
                        call.id, call.agentID ?? "", call.teamID ?? "", call.startedAt.map(format.string) ?? "",
                        String(stored.scorecardVersion), evaluation.total.map { String($0) } ?? "",
                        String(evaluation.complete), String(evaluation.autoFailed),
                    ] + criteria.map { answers[$0] ?? "" }
                lines.append(fields.map(Self.csvField).joined(separator: ","))
            }
            guard page.count == 200, let last = page.last else { break }
            cursor = (last.createdAt, last.id)
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading
    /// `=`, `+`, `-`, `@` or tab is prefixed with `'`, so a spreadsheet never runs it as a formula.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    struct EvaluationView: Encodable {
        let scorecardId: String
        let scorecardVersion: Int
        let createdAt: Date
        let result: StoredJSON?
    }
}

extension StoredScorecard {
    /// The definition, read again. It was checked when saved, so `nil` means the stored text was
    /// changed behind the server's back.
    var scorecard: Scorecard? { try? ScorecardParser.parse(Array(definition.utf8)) }
}

extension StoredEvaluation {
    var evaluation: CallEvaluation? { try? JSON.decode(CallEvaluation.self, from: Array(result.utf8)) }
}

/// Stored JSON text (a definition, an evaluation) passed through to a response as it is.
struct StoredJSON: Encodable {
    let value: Any

    init?(text: String) {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return nil }
        self.value = value
    }

    init(_ value: Any) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case let number as NSNumber where isJSONBoolean(number): try container.encode(number.boolValue)
        case let number as NSNumber: try container.encode(number.doubleValue)
        case let text as String: try container.encode(text)
        case let list as [Any]: try container.encode(list.map(StoredJSON.init))
        case let object as [String: Any]: try container.encode(object.mapValues(StoredJSON.init))
        default: try container.encodeNil()
        }
    }
}

/// `…/scorecards`, `…/scorecard-templates` and `…/calls/{callId}/evaluations`.
struct ScorecardRoutes: Sendable {
    let service: ScorecardService

    struct TemplateView: Encodable {
        let id: String
        let name: String
    }

    func register(in router: inout Router) {
        let base = "/api/v1/companies/{companyId}"
        router.add(.get, base + "/scorecards", access: Access.company(.readCalls)) { request in
            try .json(try await service.list(try request.scope()))
        }
        router.add(.get, base + "/scorecard-templates", access: Access.company(.editScorecards)) { _ in
            try .json(
                ScorecardTemplates.all.map { template in
                    TemplateView(
                        id: template.id,
                        name: (try? ScorecardParser.parse(Array(template.json.utf8)).name) ?? template.id)
                })
        }
        router.add(
            .post, base + "/scorecards", access: Access.company(.editScorecards), bodyLimit: ScorecardService.bodyLimit
        ) { request in
            let change = try ScorecardService.change(try await body(request), creating: true)
            let view = try await service.create(try request.scope(), change, clientAddress: request.remoteAddress)
            var response = try Response.json(view, status: 201)
            response.headers.set("Location", "/api/v1/companies/\(try request.scope().companyID)/scorecards/\(view.id)")
            return response
        }
        router.add(
            .post, base + "/scorecards/{scorecardId}/rescore", access: Access.company(.editScorecards), bodyLimit: 4096
        ) { request in
            struct Body: Decodable {
                let from: Date?
                let to: Date?
                let agentId: String?
                let teamId: String?
            }
            struct Queued: Encodable { let queued: Int }
            let body = try await StrictJSON.decode(
                Body.self, from: request, allowed: ["from", "to", "agentId", "teamId"], required: [])
            var filter = CallRecords.Filter()
            filter.from = body.from
            filter.to = body.to
            filter.agentID = body.agentId
            filter.teamID = body.teamId
            let queued = try await service.rescore(
                try request.scope(), id: try request.parameter("scorecardId"), filter: filter,
                clientAddress: request.remoteAddress)
            return try .json(Queued(queued: queued), status: 202)
        }
        router.add(.get, base + "/scorecards/{scorecardId}/evaluations.csv", access: Access.company(.exportData)) {
            request in
            var filter = CallRecords.Filter()
            filter.agentID = request.queryValue("agentId")
            filter.teamID = request.queryValue("teamId")
            filter.from = try CallRoutes.date(request.queryValue("from"), "from")
            filter.to = try CallRoutes.date(request.queryValue("to"), "to")
            let csv = try await service.export(
                try request.scope(), id: try request.parameter("scorecardId"), filter: filter)
            var response = Response.text(csv)
            response.headers.set("Content-Type", "text/csv; charset=utf-8")
            response.headers.set("Content-Disposition", "attachment; filename=\"evaluations.csv\"")
            return response
        }
        router.add(.get, base + "/scorecards/{scorecardId}/agreement", access: Access.company(.editScorecards)) {
            request in
            try .json(try await service.agreement(try request.scope(), id: try request.parameter("scorecardId")))
        }
        router.add(.get, base + "/scorecards/{scorecardId}", access: Access.company(.readCalls)) { request in
            try .json(try await service.view(try request.scope(), id: try request.parameter("scorecardId")))
        }
        router.add(
            .put, base + "/scorecards/{scorecardId}", access: Access.company(.editScorecards),
            bodyLimit: ScorecardService.bodyLimit
        ) { request in
            let change = try ScorecardService.change(try await body(request), creating: false)
            return try .json(
                try await service.edit(
                    try request.scope(), id: try request.parameter("scorecardId"), change,
                    clientAddress: request.remoteAddress))
        }
        router.add(.patch, base + "/scorecards/{scorecardId}", access: Access.company(.editScorecards), bodyLimit: 1024)
        { request in
            struct Toggle: Decodable { let active: Bool }
            let toggle = try await StrictJSON.decode(Toggle.self, from: request, allowed: ["active"])
            return try .json(
                try await service.setActive(
                    try request.scope(), id: try request.parameter("scorecardId"), toggle.active,
                    clientAddress: request.remoteAddress))
        }
        router.add(.get, base + "/calls/{callId}/evaluations", access: Access.company(.readCalls)) { request in
            try .json(try await service.evaluations(try request.scope(), callID: try request.parameter("callId")))
        }
        let evaluation = base + "/calls/{callId}/evaluations/{scorecardId}"
        router.add(.post, evaluation + "/overrides", access: Access.company(.overrideScores), bodyLimit: 4096) {
            request in
            struct Body: Decodable {
                let criterionId: String
                let value: String
                let reason: String
            }
            let body = try await StrictJSON.decode(
                Body.self, from: request, allowed: ["criterionId", "value", "reason"])
            let scope = try request.scope()
            return try .json(
                try await service.review(
                    scope, callID: try request.parameter("callId"), scorecardID: try request.parameter("scorecardId"),
                    capability: .overrideScores, action: "evaluation.overridden",
                    details: ["criterion": body.criterionId, "value": body.value], clientAddress: request.remoteAddress
                ) { evaluation, card, _, now in
                    try Review.override(
                        evaluation, of: card, criterion: body.criterionId, value: body.value, reason: body.reason,
                        by: scope.actorID, at: now)
                })
        }
        router.add(
            .post, evaluation + "/acknowledgement", access: Access.company(.acknowledgeEvaluations), bodyLimit: 4096
        ) { request in
            struct Body: Decodable { let comment: String? }
            let body = try await StrictJSON.decode(Body.self, from: request, allowed: ["comment"], required: [])
            let scope = try request.scope()
            return try .json(
                try await service.review(
                    scope, callID: try request.parameter("callId"), scorecardID: try request.parameter("scorecardId"),
                    capability: .acknowledgeEvaluations, action: "evaluation.acknowledged", details: [:],
                    clientAddress: request.remoteAddress
                ) { evaluation, _, _, now in
                    try Review.acknowledge(evaluation, comment: body.comment, by: scope.actorID, at: now)
                })
        }
        router.add(.post, evaluation + "/disputes", access: Access.company(.disputeEvaluations), bodyLimit: 4096) {
            request in
            struct Body: Decodable {
                let criterionId: String
                let reason: String
            }
            let body = try await StrictJSON.decode(Body.self, from: request, allowed: ["criterionId", "reason"])
            let scope = try request.scope()
            return try .json(
                try await service.review(
                    scope, callID: try request.parameter("callId"), scorecardID: try request.parameter("scorecardId"),
                    capability: .disputeEvaluations, action: "evaluation.disputed",
                    details: ["criterion": body.criterionId], clientAddress: request.remoteAddress,
                    notifyResolvers: true
                ) { evaluation, card, evaluatedAt, now in
                    try Review.dispute(
                        evaluation, of: card, criterion: body.criterionId, reason: body.reason, by: scope.actorID,
                        at: now, evaluatedAt: evaluatedAt, window: service.disputeWindow)
                })
        }
        router.add(
            .post, evaluation + "/disputes/{criterionId}/resolution", access: Access.company(.resolveDisputes),
            bodyLimit: 4096
        ) { request in
            struct Body: Decodable {
                let decision: String
                let value: String?
                let note: String
            }
            let body = try await StrictJSON.decode(
                Body.self, from: request, allowed: ["decision", "value", "note"], required: ["decision", "note"])
            guard let decision = Review.Decision(rawValue: body.decision) else {
                throw StrictJSON.invalid("The decision is keep, accept or set.")
            }
            let scope = try request.scope()
            let criterion = try request.parameter("criterionId")
            return try .json(
                try await service.review(
                    scope, callID: try request.parameter("callId"), scorecardID: try request.parameter("scorecardId"),
                    capability: .resolveDisputes, action: "dispute.resolved",
                    details: ["criterion": criterion, "decision": decision.rawValue],
                    clientAddress: request.remoteAddress
                ) { evaluation, card, _, now in
                    try Review.resolve(
                        evaluation, of: card, criterion: criterion, decision: decision, value: body.value,
                        note: body.note, by: scope.actorID, at: now)
                })
        }
    }

    func body(_ request: Request) async throws -> [UInt8] {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(415, detail: "The request body must be application/json.")
        }
        return try await request.body.collect(upTo: ScorecardService.bodyLimit)
    }
}

/// Semantic rules on sentence embeddings: the cosine between an utterance's vectors (the best of
/// its chunks) and each example's, examples embedded once and kept.
final class EmbeddingMatcher: SemanticMatcher {
    let encoder: SentenceEncoder
    let vectors: [String: [[Float]]]
    private let examples = Mutex<[String: [Float]]>([:])

    init(encoder: SentenceEncoder, embeddings: [UtteranceEmbedding]) {
        self.encoder = encoder
        vectors = Dictionary(grouping: embeddings, by: \.utteranceID).mapValues { $0.map(\.vector) }
    }

    func similarity(of utterance: Utterance, tokens: [TextToken], to examples: [Example]) -> Double {
        guard let chunks = vectors[utterance.id] else { return 0 }
        var best: Float = 0
        for example in examples {
            let vector = self.vector(example.text)
            for chunk in chunks {
                best = max(best, zip(chunk, vector).reduce(0) { $0 + $1.0 * $1.1 })
            }
        }
        return Double(best)
    }

    func vector(_ example: String) -> [Float] {
        if let known = examples.withLock({ $0[example] }) { return known }
        let vector = encoder.embed([example])[0]
        examples.withLock { $0[example] = vector }
        return vector
    }
}

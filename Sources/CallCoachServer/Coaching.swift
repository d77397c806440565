import CallCoachCore
import CallCoachHTTP
import CallCoachScoring
import CallCoachStore
import Foundation

/// Comments pinned to a moment of a call, and coaching assignments: a call and the criteria an
/// agent is to work on, marked done by that agent.
struct CoachingRoutes: Sendable {
    let database: any Database
    let identity: IdentityService
    let calls: CallService

    struct NewComment: Decodable {
        let at: Double
        let text: String
    }

    struct NewAssignment: Decodable {
        let callId: String
        let criteria: [String]
        let note: String?
    }

    func register(in router: inout Router) {
        let base = "/api/v1/companies/{companyId}"
        router.add(.get, base + "/calls/{callId}/comments", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"))
            return try .json(
                try await database.read(scope.context) {
                    try CoachingRecords(scope: scope).comments(callID: call.id, $0)
                })
        }
        router.add(.post, base + "/calls/{callId}/comments", access: Access.company(.comment), bodyLimit: 8192) {
            request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"), for: .comment)
            let body = try await StrictJSON.decode(NewComment.self, from: request, allowed: ["at", "text"])
            let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...2000).contains(text.count) else {
                throw StrictJSON.invalid("A comment is 1 to 2,000 characters.")
            }
            guard body.at.isFinite, body.at >= 0, body.at <= max(call.duration ?? 0, 0) + 1 else {
                throw StrictJSON.invalid("\"at\" is a moment of the call, in seconds from its start.")
            }
            let comment = CallComment(
                id: Identifier.make(), callID: call.id, authorID: scope.actorID, at: body.at, text: text,
                createdAt: identity.clock())
            try await database.write(scope.context) { connection in
                try CoachingRecords(scope: scope).add(comment, connection)
                try identity.audit(
                    scope, "comment.added", target: call.id, details: ["comment": comment.id],
                    clientAddress: request.remoteAddress, connection)
            }
            return try .json(comment, status: 201)
        }
        router.add(.get, base + "/coaching-assignments", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let all = try await database.read(scope.context) { try CoachingRecords(scope: scope).assignments($0) }
            // Those on calls within the reader's reach: their own, their teams', or the company's.
            let readable = await calls.readable(scope, all.map(\.callID))
            return try .json(all.filter { readable.contains($0.callID) })
        }
        router.add(
            .post, base + "/coaching-assignments", access: Access.company(.assignCoaching), bodyLimit: 8192
        ) { request in
            let scope = try request.scope()
            let body = try await StrictJSON.decode(
                NewAssignment.self, from: request, allowed: ["callId", "criteria", "note"],
                required: ["callId", "criteria"])
            let call = try await calls.call(scope, id: body.callId, for: .assignCoaching)
            guard let agent = call.agentID else { throw StrictJSON.invalid("The call has no agent to coach.") }
            guard (1...30).contains(body.criteria.count), body.criteria.allSatisfy({ (1...64).contains($0.count) })
            else {
                throw StrictJSON.invalid("Give 1 to 30 criterion ids to focus on.")
            }
            if let note = body.note, note.count > 2000 {
                throw StrictJSON.invalid("A note is at most 2,000 characters.")
            }
            let assignment = CoachingAssignment(
                id: Identifier.make(), callID: call.id, agentID: agent, criteria: body.criteria, note: body.note,
                assignedBy: scope.actorID, createdAt: identity.clock())
            try await database.write(scope.context) { connection in
                try CoachingRecords(scope: scope).add(assignment, connection)
                try identity.audit(
                    scope, "coaching.assigned", target: assignment.id, details: ["call": call.id, "agent": agent],
                    clientAddress: request.remoteAddress, connection)
            }
            return try .json(assignment, status: 201)
        }
        router.add(
            .post, base + "/coaching-assignments/{assignmentId}/done", access: Access.company(.acknowledgeEvaluations)
        ) { request in
            let scope = try request.scope()
            let id = try request.parameter("assignmentId")
            return try .json(
                try await database.write(scope.context) { connection -> CoachingAssignment in
                    let records = CoachingRecords(scope: scope)
                    // Only the agent it was given to marks it done; to anyone else it does not exist.
                    guard var assignment = try records.assignment(id: id, connection),
                        assignment.agentID == scope.actorID
                    else { throw IdentityError(.notFound) }
                    guard assignment.doneAt == nil else { throw StrictJSON.invalid("This assignment is already done.") }
                    let now = identity.clock()
                    try records.markDone(id: id, at: now, connection)
                    try identity.audit(
                        scope, "coaching.done", target: id, clientAddress: request.remoteAddress, connection)
                    assignment.doneAt = now
                    return assignment
                })
        }
        registerCalibrations(in: &router)
    }

    struct NewCalibration: Decodable {
        let callId: String
        let scorecardId: String
        let graders: [String]
    }

    struct CalibrationView: Encodable {
        let id: String
        let callId: String
        let scorecardId: String
        let scorecardVersion: Int
        let graders: [String]
        let submitted: [String]
        let complete: Bool
        /// Before everyone has submitted, a grader sees only their own answers.
        let scores: [String: [String: String]]
        let result: CalibrationResult?
    }

    /// A session as the actor may see it: blind until every grader has submitted.
    func view(_ scope: TenantScope, _ calibration: StoredCalibration) async throws -> CalibrationView {
        let complete = Set(calibration.scores.keys) == Set(calibration.graders)
        var result: CalibrationResult?
        if complete {
            let (version, stored) = try await database.read(scope.context) { connection in
                (
                    try ScorecardRecords(scope: scope).versions(id: calibration.scorecardID, connection).first {
                        $0.version == calibration.scorecardVersion
                    },
                    try ScorecardRecords(scope: scope).evaluation(
                        callID: calibration.callID, scorecardID: calibration.scorecardID, connection)
                )
            }
            if let card = version?.scorecard {
                result = Calibration.result(calibration.scores, card: card, automatic: stored?.evaluation)
            }
        }
        return CalibrationView(
            id: calibration.id, callId: calibration.callID, scorecardId: calibration.scorecardID,
            scorecardVersion: calibration.scorecardVersion, graders: calibration.graders,
            submitted: calibration.scores.keys.sorted(), complete: complete,
            scores: complete ? calibration.scores : calibration.scores.filter { $0.key == scope.actorID },
            result: result)
    }

    /// The session, if the actor grades it, started it, or may override scores on its call.
    func calibration(_ scope: TenantScope, _ id: String) async throws -> StoredCalibration {
        guard
            let calibration = try await database.read(
                scope.context, { try CoachingRecords(scope: scope).calibration(id: id, $0) })
        else { throw IdentityError(.notFound) }
        if calibration.graders.contains(scope.actorID) || calibration.createdBy == scope.actorID { return calibration }
        guard let call = try? await calls.call(scope, id: calibration.callID),
            scope.allows(.overrideScores, on: CallService.relation(of: scope, to: call))
        else { throw IdentityError(.notFound) }
        return calibration
    }

    func registerCalibrations(in router: inout Router) {
        let base = "/api/v1/companies/{companyId}/calibrations"
        router.add(.post, base, access: Access.company(.overrideScores), bodyLimit: 8192) { request in
            let scope = try request.scope()
            let body = try await StrictJSON.decode(
                NewCalibration.self, from: request, allowed: ["callId", "scorecardId", "graders"])
            let call = try await calls.call(scope, id: body.callId, for: .overrideScores)
            let graders = Array(Set(body.graders)).sorted()
            guard (2...20).contains(graders.count), graders.count == body.graders.count else {
                throw StrictJSON.invalid("Give 2 to 20 different graders.")
            }
            let created = try await database.write(scope.context) { connection -> StoredCalibration in
                guard let version = try ScorecardRecords(scope: scope).versions(id: body.scorecardId, connection).first
                else { throw IdentityError(.notFound) }
                // Every grader belongs to the company and may read the call.
                for grader in graders {
                    guard
                        let membership = try IdentityRecords.membership(
                            userID: grader, companyID: scope.companyID, connection),
                        TenantScope(membership: membership).allows(
                            .readCalls, on: CallService.relation(of: TenantScope(membership: membership), to: call))
                    else { throw StrictJSON.invalid("Every grader must be a member who may read the call.") }
                }
                let calibration = StoredCalibration(
                    id: Identifier.make(), callID: call.id, scorecardID: body.scorecardId,
                    scorecardVersion: version.version, graders: graders, scores: [:], createdBy: scope.actorID,
                    createdAt: identity.clock())
                try CoachingRecords(scope: scope).add(calibration, connection)
                try identity.audit(
                    scope, "calibration.started", target: calibration.id,
                    details: ["call": call.id, "graders": String(graders.count)], clientAddress: request.remoteAddress,
                    connection)
                return calibration
            }
            return try .json(try await view(scope, created), status: 201)
        }
        router.add(.get, base + "/{calibrationId}", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            return try .json(
                try await view(scope, try await calibration(scope, try request.parameter("calibrationId"))))
        }
        router.add(.post, base + "/{calibrationId}/scores", access: Access.company(.readCalls), bodyLimit: 16_384) {
            request in
            struct Body: Decodable { let answers: [String: String] }
            let scope = try request.scope()
            let id = try request.parameter("calibrationId")
            let session = try await calibration(scope, id)
            guard session.graders.contains(scope.actorID) else { throw IdentityError(.forbidden) }
            let body = try await StrictJSON.decode(Body.self, from: request, allowed: ["answers"])
            let updated = try await database.write(scope.context) { connection -> StoredCalibration in
                let records = CoachingRecords(scope: scope)
                guard var current = try records.calibration(id: id, connection),
                    let version = try ScorecardRecords(scope: scope).versions(id: current.scorecardID, connection)
                        .first(
                            where: { $0.version == current.scorecardVersion }),
                    let card = version.scorecard
                else { throw IdentityError(.notFound) }
                guard current.scores[scope.actorID] == nil else {
                    throw StrictJSON.invalid("You have already scored this call.")
                }
                do {
                    try Calibration.validate(body.answers, for: card)
                } catch let error as ReviewError {
                    throw StrictJSON.invalid(error.description)
                }
                current.scores[scope.actorID] = body.answers
                try records.setScores(id: id, current.scores, connection)
                try identity.audit(
                    scope, "calibration.scored", target: id, clientAddress: request.remoteAddress, connection)
                return current
            }
            return try .json(try await view(scope, updated))
        }
    }
}

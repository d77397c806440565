import CallCoachCore
import CallCoachHTTP
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

    /// The call, if the actor may act on it with `capability` (and read it at all).
    func call(_ scope: TenantScope, _ id: String, for capability: Capability) async throws -> Call {
        let call = try await calls.call(scope, id: id)
        guard scope.allows(capability, on: CallService.relation(of: scope, to: call)) else {
            throw IdentityError(.forbidden)
        }
        return call
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
            let call = try await call(scope, try request.parameter("callId"), for: .comment)
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
            let all = try await database.read(scope.context) {
                try CoachingRecords(scope: scope).assignments(agentID: nil, $0)
            }
            // Those on calls within the reader's reach: their own, their teams', or the company's.
            var visible: [CoachingAssignment] = []
            for assignment in all where (try? await calls.call(scope, id: assignment.callID)) != nil {
                visible.append(assignment)
            }
            return try .json(visible)
        }
        router.add(
            .post, base + "/coaching-assignments", access: Access.company(.assignCoaching), bodyLimit: 8192
        ) { request in
            let scope = try request.scope()
            let body = try await StrictJSON.decode(
                NewAssignment.self, from: request, allowed: ["callId", "criteria", "note"],
                required: ["callId", "criteria"])
            let call = try await call(scope, body.callId, for: .assignCoaching)
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
    }
}

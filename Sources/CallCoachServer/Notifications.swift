import CallCoachCore
import CallCoachHTTP
import CallCoachScoring
import CallCoachStore
import Foundation

/// Who hears of what: a company's notification policy, and the mail it causes. Mail carries the
/// rule's title and a link to the call, never words from the call, so nothing personal leaves
/// by e-mail; the reader signs in to see more.
struct NotificationPolicy: Codable, Equatable, Sendable {
    /// Findings at or above this severity mail the agent's managers and the admins; `off` mails none.
    var findingSeverity = "high"
    /// An agent's dispute mails the managers of their teams (the admins when they have none).
    var disputes = true
    /// A newly scored call mails its agent a link to the evaluation.
    var evaluations = false

    static let severities = ["off"] + CompliancePack.Severity.allCases.map(\.rawValue)

    static let fields: [StrictJSON.Field] = [
        .text("findingSeverity", 2...8), .boolean("disputes"), .boolean("evaluations"),
    ]

    /// The company's policy, or the defaults when it never set one (or the stored text is unreadable).
    static func current(_ scope: TenantScope, _ connection: any DatabaseConnection) throws -> NotificationPolicy {
        guard let text = try NotificationPolicies(scope: scope).current(connection) else { return NotificationPolicy() }
        return (try? JSON.decode(NotificationPolicy.self, from: Array(text.utf8))) ?? NotificationPolicy()
    }

    /// Whether a finding of `severity` is one to mail about.
    func mails(_ severity: String) -> Bool {
        let order = Self.severities
        guard let threshold = order.firstIndex(of: findingSeverity), threshold > 0,
            let rank = order.firstIndex(of: severity)
        else { return false }
        return rank >= threshold
    }
}

enum Notifications {
    /// Mail for a call just scored: its new findings above the threshold, and its first evaluation.
    static func afterScoring(
        _ scope: TenantScope, call: Call, findings: [StoredFinding], earlierFindings: [StoredFinding],
        firstEvaluation: Bool, links: String, mailer: Mailer = Mailer(), _ connection: any DatabaseConnection
    ) throws {
        let policy = try NotificationPolicy.current(scope, connection)
        let known = Set(earlierFindings.map { $0.packID + "/" + $0.ruleID })
        let fresh = findings.filter { !known.contains($0.packID + "/" + $0.ruleID) && policy.mails($0.severity) }
        let scored = policy.evaluations && firstEvaluation
        // Most calls mail nobody; the member list is read only for one that does.
        guard !fresh.isEmpty || scored else { return }
        let link = links + "/companies/\(scope.companyID)/calls/\(call.id)"
        let members = try CompanyDirectory(scope: scope).members(connection)
        if !fresh.isEmpty {
            let lines = fresh.map { finding -> String in
                let title = (StoredJSON(text: finding.finding)?.value as? [String: Any])?["title"] as? String
                return "- \(finding.severity): \(title ?? finding.ruleID) (\(finding.packID))"
            }
            let body =
                "Compliance findings on a call:\n\n" + lines.joined(separator: "\n") + "\n\nOpen the call: \(link)\n"
            for address in reviewers(of: call, in: members, includingAdmins: true) {
                try mailer.enqueue(
                    to: address, subject: "CallCoach: compliance findings on a call", body: body, connection)
            }
        }
        if scored, let agent = active(members).first(where: { $0.user.id == call.agentID }) {
            try mailer.enqueue(
                to: agent.user.email.value, subject: "CallCoach: your call has been scored",
                body: "One of your calls has been scored. See the evaluation and its evidence: \(link)\n", connection)
        }
    }

    /// Mail for a dispute just opened, to whoever resolves it.
    static func afterDispute(
        _ scope: TenantScope, call: Call, links: String, mailer: Mailer = Mailer(), _ connection: any DatabaseConnection
    ) throws {
        guard try NotificationPolicy.current(scope, connection).disputes else { return }
        let members = try CompanyDirectory(scope: scope).members(connection)
        var recipients = reviewers(of: call, in: members, includingAdmins: false)
        if recipients.isEmpty {
            recipients = active(members).filter { $0.membership.role == .admin }.map(\.user.email.value)
        }
        let link = links + "/companies/\(scope.companyID)/calls/\(call.id)"
        for address in recipients
        where address != members.first(where: { $0.user.id == scope.actorID })?.user.email.value {
            try mailer.enqueue(
                to: address, subject: "CallCoach: an evaluation is disputed",
                body: "An agent disputes an answer on one of their calls. Resolve it here: \(link)\n", connection)
        }
    }

    static func active(_ members: [(user: User, membership: Membership)]) -> [(user: User, membership: Membership)] {
        members.filter { $0.user.status == .active }
    }

    /// The managers of the call's team and of its agent's teams, and the admins if asked.
    static func reviewers(
        of call: Call, in members: [(user: User, membership: Membership)], includingAdmins: Bool
    ) -> [String] {
        var teams = Set(members.first { $0.user.id == call.agentID }?.membership.teamIDs ?? [])
        if let team = call.teamID { teams.insert(team) }
        return active(members).filter { member in
            switch member.membership.role {
            case .manager: !teams.isDisjoint(with: member.membership.teamIDs)
            case .admin: includingAdmins
            default: false
            }
        }.map(\.user.email.value)
    }
}

/// `GET` and `PUT …/notification-policy`.
struct NotificationRoutes: Sendable {
    let database: any Database
    let identity: IdentityService

    func register(in router: inout Router) {
        let path = "/api/v1/companies/{companyId}/notification-policy"
        router.add(.get, path, access: Access.company(.configureNotifications)) { request in
            let scope = try request.scope()
            return try .json(try await database.read(scope.context) { try NotificationPolicy.current(scope, $0) })
        }
        router.add(.put, path, access: Access.company(.configureNotifications), bodyLimit: 4096) { request in
            let scope = try request.scope()
            let policy = try await StrictJSON.decode(
                NotificationPolicy.self, from: request, fields: NotificationPolicy.fields)
            guard NotificationPolicy.severities.contains(policy.findingSeverity) else {
                throw StrictJSON.invalid(
                    "findingSeverity is one of \(NotificationPolicy.severities.joined(separator: ", ")).")
            }
            let text = String(decoding: try JSON.encode(policy), as: UTF8.self)
            try await database.write(scope.context) { connection in
                try NotificationPolicies(scope: scope).save(text, at: identity.clock(), connection)
                try identity.audit(
                    scope, "notification_policy.changed", target: scope.companyID,
                    details: [
                        "findingSeverity": policy.findingSeverity, "disputes": String(policy.disputes),
                        "evaluations": String(policy.evaluations),
                    ], clientAddress: request.remoteAddress, connection)
            }
            return try .json(policy)
        }
    }
}

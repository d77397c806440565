import Foundation

/// Something a person may be allowed to do. The raw values are stable: they are stored in
/// memberships as extra grants and printed in the authorization matrix.
public enum Capability: String, Sendable, CaseIterable, Codable {
    case readCalls = "calls.read"
    case uploadCalls = "calls.upload"
    case deleteCalls = "calls.delete"
    case overrideScores = "scores.override"
    case acknowledgeEvaluations = "evaluations.acknowledge"
    case disputeEvaluations = "evaluations.dispute"
    case resolveDisputes = "disputes.resolve"
    case comment = "comments.write"
    case assignCoaching = "coaching.assign"
    case editScorecards = "scorecards.edit"
    case configureCompliance = "compliance.configure"
    case configureAI = "ai.configure"
    case configureNotifications = "notifications.configure"
    case readMembers = "members.read"
    case inviteUsers = "users.invite"
    case changeRoles = "roles.change"
    case manageTeams = "teams.manage"
    case manageTeamMembers = "teams.members.manage"
    case readAuditLog = "audit.read"
    case readBilling = "billing.read"
    case manageAPIKeys = "api_keys.manage"
    case configureSSO = "sso.configure"
    case enforceMFA = "mfa.enforce"
    case exportData = "data.export"
    case issueSupportGrants = "support_grants.issue"
    case manageFailedJobs = "dead_letters.manage"
    case manageCompanies = "platform.companies"
    case manageRateLimits = "platform.rate_limits"
    case manageDeadLetters = "platform.dead_letters"

    /// Capabilities of the platform operator, not of any company's members.
    public var isPlatform: Bool { rawValue.hasPrefix("platform.") }
}

/// How an actor stands to a resource.
public enum Relation: String, Sendable, CaseIterable, Comparable {
    /// The actor's own resource (their calls, their evaluations).
    case own
    /// A resource of someone in one of the actor's teams.
    case sameTeam = "same_team"
    /// Any other resource of the actor's company.
    case sameCompany = "same_company"
    /// A resource of another company.
    case otherCompany = "other_company"

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Relation, rhs: Relation) -> Bool { lhs.rank < rhs.rank }
}

/// How far a grant reaches: a grant of `team` covers own and same-team resources.
public enum Reach: Int, Sendable, Comparable, CaseIterable {
    case own = 1
    case team = 2
    case company = 3

    /// Whether this reach covers a resource at `relation`. Another company is never covered:
    /// company data crosses tenants only through an audited support grant.
    public func covers(_ relation: Relation) -> Bool {
        switch relation {
        case .own: true
        case .sameTeam: self >= .team
        case .sameCompany: self >= .company
        case .otherCompany: false
        }
    }

    public static func < (lhs: Reach, rhs: Reach) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The one authorization policy. Every layer (routes, services, repositories, pages) asks it;
/// none decides on its own.
public enum Policy {
    /// What each role holds by default.
    public static func grants(of role: Role) -> [Capability: Reach] {
        switch role {
        case .agent:
            [
                .readCalls: .own, .acknowledgeEvaluations: .own, .disputeEvaluations: .own, .comment: .own,
                .readMembers: .team,
            ]
        case .manager:
            grants(of: .agent).merging([
                .readCalls: .team, .uploadCalls: .team, .overrideScores: .team, .resolveDisputes: .team,
                .comment: .team, .manageTeamMembers: .team, .readMembers: .company, .exportData: .team,
                .assignCoaching: .team,
            ]) { _, new in new }
        case .admin:
            Dictionary(
                uniqueKeysWithValues: Capability.allCases.filter { !$0.isPlatform }.map { ($0, Reach.company) })
        case .superAdmin:
            // The platform operator runs the platform; a company's data needs a support grant.
            [.manageCompanies: .company, .manageRateLimits: .company, .manageDeadLetters: .company]
        }
    }

    /// The most a membership of `role` may hold, extra grants included.
    public static func ceiling(of role: Role) -> [Capability: Reach] {
        switch role {
        case .agent:
            grants(of: .agent).merging([.uploadCalls: .own, .exportData: .own]) { old, new in max(old, new) }
        case .manager:
            grants(of: .manager).merging([
                .editScorecards: .company, .configureNotifications: .company, .readAuditLog: .company,
                .deleteCalls: .team, .inviteUsers: .company,
            ]) { old, new in max(old, new) }
        case .admin, .superAdmin:
            grants(of: role)
        }
    }

    /// What a platform operator may do inside a company under its support grant: read, nothing else.
    public static let supportGrant: [Capability: Reach] = [.readCalls: .company, .readMembers: .company]

    /// The reach a membership holds for `capability`: its role's grant, raised by an extra grant
    /// only as far as the role's ceiling. `nil` means no access at all.
    public static func reach(of membership: Membership?, for capability: Capability) -> Reach? {
        guard let membership else { return nil }
        if membership.viaSupportGrant { return supportGrant[capability] }
        let base = grants(of: membership.role)[capability]
        guard membership.extraCapabilities.contains(capability), let limit = ceiling(of: membership.role)[capability]
        else { return base }
        return max(base ?? limit, limit)
    }

    /// The decision: may the holder of `membership` use `capability` on a resource at `relation`?
    /// No membership, an unknown role or a missing grant all mean no.
    public static func allows(_ membership: Membership?, _ capability: Capability, on relation: Relation) -> Bool {
        reach(of: membership, for: capability)?.covers(relation) ?? false
    }

    /// Parses stored extra grants; anything unknown is dropped, never widened.
    public static func capabilities(from text: String) -> Set<Capability> {
        Set(text.split(separator: ",").compactMap { Capability(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }
}

import CallCoachCore

/// Proof that a request acts inside one company, as one of its members. Every company-scoped
/// repository and blob key is built from one, so nothing reaches company data without it.
public struct TenantScope: Sendable, Equatable {
    public let membership: Membership

    public init(membership: Membership) {
        self.membership = membership
    }

    /// The scope background work (the call pipeline) acts in for `companyID`: the company's own
    /// data, as the system actor, never a person.
    public static func system(companyID: String) -> TenantScope {
        TenantScope(membership: Membership(companyID: companyID, userID: systemActor, role: .admin))
    }

    public static let systemActor = "system"

    public var companyID: String { membership.companyID }
    public var actorID: String { membership.userID }

    /// The database context of this scope: row-level security sees this company, as this actor.
    public var context: AccessContext { .company(companyID, actor: actorID) }

    /// How the actor stands to something owned by `ownerID`, who belongs to `ownerTeamIDs`.
    public func relation(toOwner ownerID: String, ownerTeamIDs: [String]) -> Relation {
        if ownerID == actorID { return .own }
        if !Set(ownerTeamIDs).isDisjoint(with: membership.teamIDs) { return .sameTeam }
        return .sameCompany
    }

    /// Whether the policy lets this actor use `capability` on a resource at `relation`.
    public func allows(_ capability: Capability, on relation: Relation = .sameCompany) -> Bool {
        Policy.allows(membership, capability, on: relation)
    }
}

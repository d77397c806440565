import Foundation

/// A role within one company, from least to most privileged.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case agent
    case manager
    case admin
    case superAdmin = "super_admin"

    /// The role for a stored or submitted name; anything unknown is `nil`, never a default grant.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A customer organisation: every call and every setting belongs to exactly one.
public struct Company: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    /// Members must enrol in MFA before anything else works.
    public var requiresMFA: Bool
    public var createdAt: Date

    public init(id: String, name: String, requiresMFA: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.requiresMFA = requiresMFA
        self.createdAt = createdAt
    }
}

/// One person, identified globally by a canonical e-mail address.
public struct User: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case active
        case deactivated
    }

    public var id: String
    public var email: EmailAddress
    public var displayName: String
    public var passwordHash: String?
    public var status: Status
    public var mfaEnabled: Bool
    /// Runs the platform (the Super-Admin); reads a company only through its support grant.
    public var platformOperator = false
    public var createdAt: Date

    public init(
        id: String, email: EmailAddress, displayName: String, passwordHash: String?, status: Status = .active,
        mfaEnabled: Bool = false, createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.status = status
        self.mfaEnabled = mfaEnabled
        self.createdAt = createdAt
    }
}

/// A user's place in a company: written only by server code paths, never from a client payload.
public struct Membership: Sendable, Equatable {
    public var companyID: String
    public var userID: String
    public var role: Role
    public var teamIDs: [String]
    /// Grants beyond the role's own, honoured only up to the role's ceiling.
    public var extraCapabilities: Set<Capability>
    /// Not a member at all: a platform operator reading through the company's support grant.
    public var viaSupportGrant = false

    public init(
        companyID: String, userID: String, role: Role, teamIDs: [String] = [], extraCapabilities: Set<Capability> = []
    ) {
        self.companyID = companyID
        self.userID = userID
        self.role = role
        self.teamIDs = teamIDs
        self.extraCapabilities = extraCapabilities
    }
}

/// Random identifiers for new records.
public enum Identifier {
    /// A new lower-case UUID.
    public static func make() -> String { UUID().uuidString.lowercased() }
}

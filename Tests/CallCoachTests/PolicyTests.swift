import CallCoachCore
import CallCoachHTTP
@testable import CallCoachServer
import CallCoachStore
import CallCoachTelemetry
import CallCoachTesting
import Foundation
import Testing

@Suite struct PolicyTests {
    func member(_ role: Role, extras: Set<Capability> = []) -> Membership {
        Membership(companyID: "c", userID: "u", role: role, teamIDs: ["t"], extraCapabilities: extras)
    }

    @Test func rolesReachOwnTeamAndCompanyCalls() {
        #expect(Policy.allows(member(.agent), .readCalls, on: .own))
        #expect(!Policy.allows(member(.agent), .readCalls, on: .sameTeam))
        #expect(Policy.allows(member(.manager), .readCalls, on: .sameTeam))
        #expect(!Policy.allows(member(.manager), .readCalls, on: .sameCompany))
        #expect(Policy.allows(member(.admin), .readCalls, on: .sameCompany))
    }

    @Test func noRoleReachesAnotherCompany() {
        for role in Role.allCases {
            for capability in Capability.allCases {
                #expect(!Policy.allows(member(role, extras: Set(Capability.allCases)), capability, on: .otherCompany))
            }
        }
    }

    @Test func missingOrUnknownMeansNothing() {
        for capability in Capability.allCases {
            #expect(!Policy.allows(nil, capability, on: .own))
        }
        #expect(Role(name: "owner") == nil)
        #expect(Role(name: "ADMIN") == nil)
        #expect(Policy.capabilities(from: "calls.read, made.up,,roles.change") == [.readCalls, .changeRoles])
    }

    @Test func extraGrantsStopAtTheRolesCeiling() {
        #expect(!Policy.allows(member(.agent), .uploadCalls, on: .own))
        #expect(Policy.allows(member(.agent, extras: [.uploadCalls]), .uploadCalls, on: .own))
        #expect(!Policy.allows(member(.agent, extras: [.uploadCalls]), .uploadCalls, on: .sameTeam))
        #expect(!Policy.allows(member(.agent, extras: [.changeRoles, .configureSSO]), .changeRoles, on: .own))
        #expect(Policy.allows(member(.manager, extras: [.editScorecards]), .editScorecards, on: .sameCompany))
        #expect(!Policy.allows(member(.manager, extras: [.configureSSO]), .configureSSO, on: .sameCompany))
    }

    @Test func ceilingsContainTheGrantsAndTheRolesNest() {
        for role in Role.allCases {
            for (capability, reach) in Policy.grants(of: role) {
                #expect((Policy.ceiling(of: role)[capability] ?? .own) >= reach)
            }
        }
        for (capability, reach) in Policy.grants(of: .agent) {
            #expect((Policy.grants(of: .manager)[capability] ?? .own) >= reach)
            #expect(Policy.grants(of: .admin)[capability] == .company)
        }
    }

    @Test func thePlatformOperatorHoldsNoCompanyCapability() {
        for capability in Capability.allCases where !capability.isPlatform {
            #expect(Policy.reach(of: member(.superAdmin), for: capability) == nil)
        }
        for capability in Capability.allCases where capability.isPlatform {
            #expect(Policy.reach(of: member(.admin), for: capability) == nil)
        }
    }

    @Test func everyRouteDeclaresAccessOrTheServerRefusesToStart() throws {
        var router = Router()
        router.add(.get, "/declared", access: Access.anonymous) { _ in .text("x") }
        try ServerRuntime.requireDeclaredAccess(router)
        router.add(.get, "/forgotten") { _ in .text("x") }
        #expect(throws: ConfigurationError.self) { try ServerRuntime.requireDeclaredAccess(router) }
    }

    @Test func theCommittedMatrixIsTheGeneratedOne() async throws {
        let generated = try await DatabaseCommands.policyMatrix(logger: .init(sink: MemorySink()))
        let committed = try String(contentsOfFile: packageRoot + "/docs/authorization-matrix.md", encoding: .utf8)
        #expect(generated == committed, "run `callcoach policy matrix > docs/authorization-matrix.md`")
    }
}

@Suite struct BlobKeyTests {
    let scope = TenantScope(membership: Membership(companyID: "company-a", userID: "u", role: .agent))

    @Test func keysAreBuiltFromTheScopeAndNothingElse() {
        #expect(
            BlobKey(scope: scope, collection: "recordings", id: "call-1.v3")?.path
                == "companies/company-a/recordings/call-1.v3")
        for bad in ["../company-b/x", "a/b", "..", ".hidden", "", "x y", String(repeating: "a", count: 200), "c%2F.."] {
            #expect(BlobKey(scope: scope, collection: "recordings", id: bad) == nil, "\(bad)")
            #expect(BlobKey(scope: scope, collection: bad, id: "x") == nil, "\(bad)")
        }
    }
}

import CallCoachHTTP
import CallCoachStore
import Foundation

/// The routes under `/api/v1/companies/{companyId}` for members, teams, invitations, the MFA
/// policy and the audit log. Each declares its capability; access control has already checked
/// membership and the policy, and the service checks the policy again for the resource.
struct CompanyRoutes: Sendable {
    let identity: IdentityService
    let mailer: Mailer
    let limits: RateLimits

    struct Invitation: Decodable { let email: String, role: String }
    struct RoleChange: Decodable { let role: String }
    struct MFAPolicy: Decodable { let required: Bool }
    struct TeamName: Decodable { let name: String }
    struct GrantRequest: Decodable { let operatorEmail: String, hours: Int, reason: String }
    struct NewCompany: Decodable { let name: String, adminEmail: String }

    struct MemberView: Encodable {
        let id: String
        let email: String
        let displayName: String
        let role: String
        let teamIds: [String]
    }

    func register(in router: inout Router) {
        let base = "/api/v1/companies/{companyId}"
        router.add(.post, base + "/invitations", access: Access.company(.inviteUsers), bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(Invitation.self, from: request, allowed: ["email", "role"])
            try AuthRoutes.checkLengths(body.email, body.role)
            try await limits.consume(.emailAccount, identity: AuthRoutes.account(body.email))
            try await identity.invite(
                try request.scope(), email: body.email, role: body.role, mail: mailer,
                clientAddress: request.remoteAddress)
            return Response(status: 202)
        }
        router.add(.get, base + "/members", access: Access.company(.readMembers)) { request in
            let members = try await identity.members(try request.scope()).map { entry in
                MemberView(
                    id: entry.user.id, email: entry.user.email.value, displayName: entry.user.displayName,
                    role: entry.membership.role.rawValue, teamIds: entry.membership.teamIDs)
            }
            return try .json(["members": members])
        }
        router.add(.patch, base + "/members/{userId}", access: Access.company(.changeRoles), bodyLimit: 8192) {
            request in
            let body = try await StrictJSON.decode(RoleChange.self, from: request, allowed: ["role"])
            try AuthRoutes.checkLengths(body.role)
            try await identity.changeRole(
                try request.scope(), userID: try request.parameter("userId"), role: body.role,
                clientAddress: request.remoteAddress)
            return Response(status: 204)
        }
        router.add(.delete, base + "/members/{userId}", access: Access.company(.changeRoles)) { request in
            try await identity.removeMember(
                try request.scope(), userID: try request.parameter("userId"), clientAddress: request.remoteAddress)
            return Response(status: 204)
        }
        router.add(.get, base + "/mfa-policy", access: Access.company(.enforceMFA)) { request in
            let scope = try request.scope()
            let company = try await identity.database.read(scope.context) {
                try IdentityRecords.company(id: scope.companyID, $0)
            }
            return try .json(["required": company?.requiresMFA ?? false])
        }
        router.add(.put, base + "/mfa-policy", access: Access.company(.enforceMFA), bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(MFAPolicy.self, from: request, allowed: ["required"])
            try await identity.setRequiresMFA(
                try request.scope(), required: body.required, clientAddress: request.remoteAddress)
            return try .json(["required": body.required])
        }
        registerTeams(in: &router, base: base)
        registerSupport(in: &router, base: base)
        router.add(.get, base + "/audit-log", access: Access.company(.readAuditLog)) { request in
            let events = try await identity.auditEvents(
                try request.scope(), action: request.queryValue("action"), actorID: request.queryValue("actor"),
                before: request.queryValue("before").flatMap { Int($0) },
                limit: request.queryValue("limit").flatMap { Int($0) } ?? 50)
            return try .json(["events": events])
        }
    }

    private func registerSupport(in router: inout Router, base: String) {
        router.add(.post, base + "/support-grants", access: Access.company(.issueSupportGrants), bodyLimit: 8192) {
            request in
            let body = try await StrictJSON.decode(
                GrantRequest.self, from: request, allowed: ["operatorEmail", "hours", "reason"])
            try AuthRoutes.checkLengths(body.operatorEmail, body.reason)
            let grant = try await identity.issueSupportGrant(
                try request.scope(), operatorEmail: body.operatorEmail, hours: body.hours, reason: body.reason,
                clientAddress: request.remoteAddress)
            return try .json(grant, status: 201)
        }
        router.add(.get, base + "/support-grants", access: Access.company(.readMembers)) { request in
            try .json(["grants": try await identity.supportGrants(try request.scope())])
        }
        router.add(.delete, base + "/support-grants/{grantId}", access: Access.company(.issueSupportGrants)) {
            request in
            try await identity.revokeSupportGrant(
                try request.scope(), grantID: try request.parameter("grantId"), clientAddress: request.remoteAddress)
            return Response(status: 204)
        }
        router.add(.get, "/api/v1/platform/companies", access: Access.platform(.manageCompanies)) { _ in
            try .json(["companies": try await identity.database.read(.platform) { try IdentityRecords.companies($0) }])
        }
        router.add(.post, "/api/v1/platform/companies", access: Access.platform(.manageCompanies), bodyLimit: 8192) {
            request in
            let body = try await StrictJSON.decode(NewCompany.self, from: request, allowed: ["name", "adminEmail"])
            try AuthRoutes.checkLengths(body.name, body.adminEmail)
            let (company, _) = try await identity.createCompany(
                name: body.name, adminEmail: body.adminEmail, password: nil, mail: mailer)
            return try .json(["id": company.id, "name": company.name], status: 201)
        }
    }

    private func registerTeams(in router: inout Router, base: String) {
        router.add(.get, base + "/teams", access: Access.company(.readMembers)) { request in
            try .json(["teams": try await identity.teams(try request.scope())])
        }
        router.add(.post, base + "/teams", access: Access.company(.manageTeams), bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(TeamName.self, from: request, allowed: ["name"])
            try AuthRoutes.checkLengths(body.name)
            let team = try await identity.createTeam(
                try request.scope(), name: body.name, clientAddress: request.remoteAddress)
            return try .json(team, status: 201)
        }
        router.add(.patch, base + "/teams/{teamId}", access: Access.company(.manageTeams), bodyLimit: 8192) { request in
            let body = try await StrictJSON.decode(TeamName.self, from: request, allowed: ["name"])
            try AuthRoutes.checkLengths(body.name)
            try await identity.renameTeam(
                try request.scope(), teamID: try request.parameter("teamId"), name: body.name,
                clientAddress: request.remoteAddress)
            return Response(status: 204)
        }
        router.add(.delete, base + "/teams/{teamId}", access: Access.company(.manageTeams)) { request in
            try await identity.deleteTeam(
                try request.scope(), teamID: try request.parameter("teamId"), clientAddress: request.remoteAddress)
            return Response(status: 204)
        }
        for (method, member) in [(HTTPMethod.put, true), (.delete, false)] {
            router.add(method, base + "/teams/{teamId}/members/{userId}", access: Access.company(.manageTeamMembers)) {
                request in
                try await identity.setTeamMembership(
                    try request.scope(), teamID: try request.parameter("teamId"),
                    userID: try request.parameter("userId"),
                    member: member, clientAddress: request.remoteAddress)
                return Response(status: 204)
            }
        }
    }
}

import CallCoachCore
import CallCoachCrypto
import CallCoachHTTP
import CallCoachScoring
@testable import CallCoachServer
@testable import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

/// Two companies with members of every role, teams, and a signed-in session for each.
struct TenancyFixture {
    let server: LiveServer
    let companyA: String
    let companyB: String
    let teamA1: String
    let teamA2: String
    let teamB1: String
    /// A support grant of company A.
    let grantA: String
    /// An inactive scorecard of company A, from the support template.
    let scorecardA: String
    /// Users by name: adminA, managerA (team A1), agentA (team A1), agentA2 (team A2), operatorA
    /// (super_admin member of A), adminA2, adminB, agentB.
    let users: [String: String]
    let tokens: [String: String]

    static func make(_ configure: (inout Configuration) -> Void = { _ in }) async throws -> TenancyFixture {
        let server = try await LiveServer.start(configure)
        let identity = server.runtime.identity
        let cheap = try PasswordHasher(parameters: .init(memory: 1024, iterations: 1, parallelism: 1)).hash(
            "pw-pw-pw-pw-pw")
        let (companyA, companyB) = (Identifier.make(), Identifier.make())
        let (teamA1, teamA2, teamB1) = (Identifier.make(), Identifier.make(), Identifier.make())
        let people: [(String, String, Role, [String])] = [
            ("adminA", companyA, .admin, []), ("adminA2", companyA, .admin, []),
            ("managerA", companyA, .manager, [teamA1]),
            ("agentA", companyA, .agent, [teamA1]), ("agentA2", companyA, .agent, [teamA2]),
            ("operatorA", companyA, .superAdmin, []), ("adminB", companyB, .admin, []),
            ("agentB", companyB, .agent, [teamB1]),
        ]
        let platformOperator = Identifier.make()
        var users: [String: String] = ["platform": platformOperator]
        for (name, _, _, _) in people { users[name] = Identifier.make() }
        let ids = users
        let grantA = Identifier.make()
        let scorecardA = Identifier.make()
        try await server.runtime.database.write(.platform) { connection in
            for (id, name) in [(companyA, "Company A"), (companyB, "Company B")] {
                try IdentityRecords.insert(Company(id: id, name: name, createdAt: Date()), connection)
            }
            for (team, company) in [(teamA1, companyA), (teamA2, companyA), (teamB1, companyB)] {
                try connection.execute(
                    "INSERT INTO teams (id, company_id, name, created_at) VALUES (\(team), \(company), \(team), 0)")
            }
            for (name, company, role, teams) in people {
                let id = ids[name]!
                try IdentityRecords.insert(
                    User(
                        id: id, email: EmailAddress("\(name.lowercased())@example.com")!, displayName: name,
                        passwordHash: cheap,
                        createdAt: Date()), connection)
                try IdentityRecords.upsert(Membership(companyID: company, userID: id, role: role), connection)
                for team in teams {
                    try connection.execute(
                        "INSERT INTO team_members (team_id, company_id, user_id) VALUES (\(team), \(company), \(id))")
                }
            }
            try IdentityRecords.insert(
                User(
                    id: platformOperator, email: EmailAddress("platform@example.com")!, displayName: "platform",
                    passwordHash: cheap, createdAt: Date()), connection)
            try IdentityRecords.setPlatformOperator(true, userID: platformOperator, connection)
            let admin = Membership(companyID: companyA, userID: ids["adminA"]!, role: .admin)
            try SupportGrants(scope: TenantScope(membership: admin)).insert(
                SupportGrant(
                    id: grantA, operatorID: ids["adminA2"]!, grantedBy: ids["adminA"]!, reason: "seed",
                    createdAt: Date(),
                    expiresAt: Date().addingTimeInterval(3600)), connection)
            try ScorecardRecords(scope: TenantScope(membership: admin)).save(
                StoredScorecard(
                    id: scorecardA, version: 1, name: "Support", definition: ScorecardTemplates.all[0].json,
                    active: false, createdAt: Date(), createdBy: ids["adminA"]!), connection)
            try ComplianceRecords(scope: TenantScope(membership: admin)).saveCustomPack(
                id: "house-pack", version: 1, definition: Self.housePack(version: 1), at: Date(), connection)
        }
        var tokens: [String: String] = [:]
        for (name, id) in users { tokens[name] = try await identity.startSession(userID: id).accessToken }
        return TenancyFixture(
            server: server, companyA: companyA, companyB: companyB, teamA1: teamA1, teamA2: teamA2, teamB1: teamB1,
            grantA: grantA, scorecardA: scorecardA, users: users, tokens: tokens)
    }

    func send(_ method: HTTPMethod, _ path: String, as name: String?, json: String? = nil, range: String? = nil)
        async -> Response
    {
        var headers: HTTPHeaders = [:]
        if let range { headers.set("Range", range) }
        if let name { headers.set("Authorization", "Bearer \(tokens[name]!)") }
        let client = server.client()
        guard let json else { return await client.send(method, path, headers: headers) }
        return await client.send(method, path, json: json, headers: headers)
    }

    /// A company's own compliance pack, as stored (with its version) or sent (without).
    static func housePack(version: Int?) -> String {
        let number = version.map { #","version":\#($0)"# } ?? ""
        return
            #"{"id":"house-pack","name":"House pack"\#(number),"rules":[{"id":"slang","title":"Slang","regulation":"Policy 4.2","severity":"low","when":{"phrase":"dude"}}]}"#
    }

    /// A valid body for each company route that takes one.
    static func body(for route: Route) -> String? {
        switch (route.method, route.pattern.split(separator: "/").last ?? "") {
        case (.post, "invitations"): #"{"email":"new.person@example.com","role":"agent"}"#
        case (.patch, "{userId}"): #"{"role":"agent"}"#
        case (.put, "mfa-policy"): #"{"required":false}"#
        case (.put, "notification-policy"): #"{"findingSeverity":"high","disputes":true,"evaluations":false}"#
        case (.put, "ai-configuration"): #"{"transcriber":"none"}"#
        case (.post, "teams"), (.patch, "{teamId}"): #"{"name":"Renamed"}"#
        case (.post, "support-grants"): #"{"operatorEmail":"platform@example.com","hours":2,"reason":"ticket 42"}"#
        case (.post, "companies"): #"{"name":"New Co","adminEmail":"boss@newco.example"}"#
        case (.put, "{policy}"): #"{"maxRequests":1000,"windowSeconds":60}"#
        case (.post, "scorecards"): #"{"template":"sales-discovery","active":false}"#
        case (.put, "{scorecardId}"): #"{"definition":\#(ScorecardTemplates.all[1].json)}"#
        case (.patch, "{scorecardId}"): #"{"active":false}"#
        case (.patch, "{packId}"): #"{"enabled":true}"#
        case (.put, "{packId}"): #"{"definition":\#(housePack(version: nil))}"#
        case (.post, "compliance-packs"):
            #"{"definition":{"id":"house-rules","name":"House rules","rules":[{"id":"no-slang","title":"Slang","regulation":"Company policy 4.2","severity":"low","when":{"phrase":"dude"}}]}}"#
        case (.post, "rescore"): "{}"
        default: nil
        }
    }

    /// The route's path with every parameter filled from `values`.
    static func path(_ pattern: String, _ values: [String: String]) -> String {
        values.reduce(pattern) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

@Suite struct TenancyTests {
    func companyRoutes(_ fixture: TenancyFixture) -> [Route] {
        fixture.server.runtime.application.router.routes.filter {
            if case .company = $0.access as? Access { return true }
            return false
        }
    }

    /// For every company route and every role: the HTTP outcome equals the policy's decision.
    /// Parameters name resources inside the actor's reach (their team, a member of it), so an
    /// allowed request succeeds and a refused one is refused by the policy.
    @Test func everyRouteAndRoleAgreesWithThePolicy() async throws {
        var cells = 0
        let probe = try await TenancyFixture.make()
        // Call routes need a call and a dead letter to act on; CallAccessTests covers them role by role.
        for route in companyRoutes(probe) where !CallAccessTests.isCallRoute(route) {
            guard case .company(let capability) = route.access as? Access else { continue }
            for actor in ["agentA", "managerA", "adminA", "operatorA"] {
                // Reads change nothing, so they share one fixture; each write gets a fresh one.
                let fixture = route.method == .get ? probe : try await TenancyFixture.make()
                let role: Role = ["agentA": .agent, "managerA": .manager, "adminA": .admin, "operatorA": .superAdmin][
                    actor]!
                let target = role == .manager || role == .agent ? "agentA" : "managerA"
                let path = TenancyFixture.path(
                    route.pattern,
                    [
                        "companyId": fixture.companyA, "teamId": fixture.teamA1, "userId": fixture.users[target]!,
                        "grantId": fixture.grantA, "scorecardId": fixture.scorecardA, "packId": "house-pack",
                    ])
                let response = await fixture.send(route.method, path, as: actor, json: TenancyFixture.body(for: route))
                let membership = Membership(
                    companyID: fixture.companyA, userID: "x", role: role, teamIDs: [fixture.teamA1])
                let relation: Relation =
                    route.pattern.contains("{teamId}") || route.pattern.contains("{userId}") ? .sameTeam : .sameCompany
                // A list answers what is within reach; an action on one resource needs its relation.
                let isList = route.method == .get && relation == .sameCompany
                let allowed =
                    isList
                    ? Policy.reach(of: membership, for: capability) != nil
                    : Policy.allows(membership, capability, on: relation)
                if allowed {
                    #expect(
                        (200..<300).contains(response.status),
                        "\(actor) \(route.method) \(route.pattern): \(response.status)")
                } else {
                    #expect(response.status == 403, "\(actor) \(route.method) \(route.pattern): \(response.status)")
                }
                cells += 1
                let anonymous = await fixture.send(route.method, path, as: nil, json: TenancyFixture.body(for: route))
                #expect(anonymous.status == 401)
                cells += 1
                // A write's fresh fixture is done with; its connections go back at once.
                if route.method != .get { fixture.server.stop() }
            }
        }
        #expect(cells == companyRoutes(probe).filter { !CallAccessTests.isCallRoute($0) }.count * 8)
        cells += try await platformAndSelfServiceCells(probe)
        print("parity cells checked: \(cells)")
    }

    /// Platform routes: every member role is refused, the operator allowed; self-service routes
    /// refuse anonymous callers. Returns the number of cells checked.
    func platformAndSelfServiceCells(_ fixture: TenancyFixture) async throws -> Int {
        var cells = 0
        for route in fixture.server.runtime.application.router.routes {
            switch route.access as? Access {
            case .platform(let capability) where !route.pattern.contains("{letterId}"):
                for actor in ["agentA", "managerA", "adminA", "operatorA", "platform"] {
                    let response = await fixture.send(
                        route.method, TenancyFixture.path(route.pattern, ["policy": "global"]), as: actor,
                        json: TenancyFixture.body(for: route))
                    let allowed = actor == "platform" && Policy.grants(of: .superAdmin)[capability] != nil
                    #expect(
                        allowed ? (200..<300).contains(response.status) : response.status == 403,
                        "\(actor) \(route.pattern)")
                    cells += 1
                }
                #expect(await fixture.send(route.method, route.pattern, as: nil, json: "{}").status == 401)
                cells += 1
            case .signedIn:
                let path = TenancyFixture.path(route.pattern, ["id": "x"])
                #expect(await fixture.send(route.method, path, as: nil, json: "{}").status == 401, "\(route.pattern)")
                cells += 1
            default:
                continue
            }
        }
        return cells
    }

    /// Every identifier in every company route swapped for another company's: nothing answers
    /// but 404, and nothing changes.
    @Test func anotherCompanysIdentifiersRevealNothing() async throws {
        let fixture = try await TenancyFixture.make()
        let before = try await fixture.server.runtime.database.read(.platform) { connection in
            try connection.query("SELECT * FROM memberships ORDER BY company_id, user_id").count
        }
        for route in companyRoutes(fixture) {
            let substitutions: [[String: String]] = [
                [
                    "companyId": fixture.companyB, "teamId": fixture.teamB1, "userId": fixture.users["agentB"]!,
                    "grantId": "g",
                ],
                [
                    "companyId": fixture.companyA, "teamId": fixture.teamB1, "userId": fixture.users["agentB"]!,
                    "grantId": "g",
                ],
                [
                    "companyId": "../\(fixture.companyB)", "teamId": fixture.teamA1, "userId": fixture.users["agentA"]!,
                    "grantId": "g",
                ],
            ]
            for values in substitutions {
                let path = TenancyFixture.path(route.pattern, values)
                if !route.pattern.contains("{teamId}") && !route.pattern.contains("{userId}")
                    && values["companyId"] == fixture.companyA
                {
                    continue
                }
                let response = await fixture.send(
                    route.method, path, as: "adminA", json: TenancyFixture.body(for: route))
                #expect([404, 400].contains(response.status), "\(route.method) \(path): \(response.status)")
                #expect(!response.bodyText.contains("Company B"))
            }
        }
        let after = try await fixture.server.runtime.database.read(.platform) { connection in
            try connection.query("SELECT * FROM memberships ORDER BY company_id, user_id").count
        }
        #expect(before == after)
        let teamsB = try await fixture.server.runtime.database.read(.platform) { connection in
            try connection.query("SELECT name FROM teams WHERE id = \(fixture.teamB1)").first?.decode(
                "name", as: String.self)
        }
        #expect(teamsB == fixture.teamB1, "the other company's team is untouched")
    }

    @Test func agentsSeeTheirTeamManagersTheirCompany() async throws {
        let fixture = try await TenancyFixture.make()
        func names(_ actor: String) async throws -> Set<String> {
            let response = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/members", as: actor)
            let members = try #require(try object(response)["members"] as? [[String: Any]])
            return Set(members.compactMap { $0["displayName"] as? String })
        }
        #expect(try await names("agentA") == ["agentA", "managerA"])
        #expect(try await names("managerA") == ["adminA", "adminA2", "managerA", "agentA", "agentA2", "operatorA"])
        #expect(await fixture.send(.get, "/api/v1/companies/\(fixture.companyB)/members", as: "agentA").status == 404)
    }

    @Test func managersManageOnlyTheirOwnTeams() async throws {
        let fixture = try await TenancyFixture.make()
        let base = "/api/v1/companies/\(fixture.companyA)/teams"
        let agentA2 = fixture.users["agentA2"]!
        #expect(await fixture.send(.put, "\(base)/\(fixture.teamA1)/members/\(agentA2)", as: "managerA").status == 204)
        #expect(
            await fixture.send(.put, "\(base)/\(fixture.teamA2)/members/\(fixture.users["agentA"]!)", as: "managerA")
                .status == 403)
        #expect(await fixture.send(.post, base, as: "managerA", json: #"{"name":"New"}"#).status == 403)
        #expect(await fixture.send(.post, base, as: "adminA", json: #"{"name":"New"}"#).status == 201)
        #expect(
            await fixture.send(.put, "\(base)/\(fixture.teamA2)/members/\(fixture.users["agentB"]!)", as: "adminA")
                .status == 404)
    }

    @Test func theLastAdminStays() async throws {
        let fixture = try await TenancyFixture.make()
        let members = "/api/v1/companies/\(fixture.companyA)/members"
        #expect(await fixture.send(.delete, "\(members)/\(fixture.users["adminA2"]!)", as: "adminA").status == 204)
        // adminA is now the only admin; no one may demote or remove them, themselves included.
        #expect(
            await fixture.send(
                .patch, "\(members)/\(fixture.users["adminA"]!)", as: "adminA", json: #"{"role":"agent"}"#
            ).status == 403)
        let promoted = await fixture.send(
            .patch, "\(members)/\(fixture.users["managerA"]!)", as: "adminA", json: #"{"role":"admin"}"#)
        #expect(promoted.status == 204)
        let managerToken = try await fixture.server.runtime.identity.startSession(userID: fixture.users["managerA"]!)
            .accessToken
        let demote = await fixture.server.client().send(
            .patch, "\(members)/\(fixture.users["adminA"]!)", json: #"{"role":"agent"}"#,
            headers: ["Authorization": "Bearer \(managerToken)"])
        #expect(demote.status == 204, "two admins: one may demote the other")
        let last = await fixture.send(.delete, "\(members)/\(fixture.users["managerA"]!)", as: "operatorA")
        #expect(last.status == 403)
    }

    @Test func payloadsCannotCarryPrivilegedFields() async throws {
        let fixture = try await TenancyFixture.make()
        let base = "/api/v1/companies/\(fixture.companyA)"
        for (method, path, json) in [
            (
                HTTPMethod.post, "\(base)/invitations",
                #"{"email":"x@example.com","role":"agent","capabilities":"roles.change"}"#
            ),
            (.patch, "\(base)/members/\(fixture.users["agentA"]!)", #"{"role":"manager","companyId":"other"}"#),
            (.post, "\(base)/teams", #"{"name":"T","companyId":"\#(fixture.companyB)"}"#),
            (.put, "\(base)/mfa-policy", #"{"required":true,"plan":"enterprise"}"#),
        ] {
            #expect(await fixture.send(method, path, as: "adminA", json: json).status == 400, "\(path)")
        }
    }
}

@Suite struct AuditLogTests {
    @Test func changesAreAuditedInAChainThatDetectsTampering() async throws {
        let fixture = try await TenancyFixture.make()
        let base = "/api/v1/companies/\(fixture.companyA)"
        #expect(
            await fixture.send(.post, "\(base)/teams", as: "adminA", json: #"{"name":"Night shift"}"#).status == 201)
        #expect(
            await fixture.send(
                .patch, "\(base)/members/\(fixture.users["agentA"]!)", as: "adminA", json: #"{"role":"manager"}"#
            ).status == 204)
        #expect(
            await fixture.send(
                .post, "\(base)/invitations", as: "adminA", json: #"{"email":"n@example.com","role":"agent"}"#
            ).status == 202)
        #expect(
            await fixture.send(.put, "\(base)/mfa-policy", as: "adminA", json: #"{"required":false}"#).status == 200)
        #expect(
            await fixture.send(
                .post, "/api/v1/companies/\(fixture.companyB)/teams", as: "adminB", json: #"{"name":"B team"}"#
            ).status == 201)

        let log = await fixture.send(.get, "\(base)/audit-log", as: "adminA")
        let events = try #require(try object(log)["events"] as? [[String: Any]])
        #expect(
            events.map { $0["action"] as? String } == [
                "mfa.policy_changed", "invitation.sent", "member.role_changed", "team.created",
            ])
        #expect(events.allSatisfy { $0["actorEmail"] as? String == "admina@example.com" })
        #expect(events.allSatisfy { ($0["clientHash"] as? String)?.count == 64 })
        #expect(!log.bodyText.contains("198.51.100.7"))
        let filtered = try object(await fixture.send(.get, "\(base)/audit-log?action=team.created", as: "adminA"))
        #expect((filtered["events"] as? [Any])?.count == 1)
        let paged = try object(await fixture.send(.get, "\(base)/audit-log?limit=2&before=3", as: "adminA"))
        #expect((paged["events"] as? [[String: Any]])?.map { $0["sequence"] as? Int } == [2, 1])
        #expect(await fixture.send(.get, "\(base)/audit-log", as: "managerA").status == 403)

        let database = fixture.server.runtime.database
        #expect(try await database.read(.platform) { try AuditLog.verifyAll($0) }.isEmpty)
        try await database.write(.platform) { connection in
            try connection.execute(
                "UPDATE audit_events SET details = '{\"role\":\"admin\"}' WHERE company_id = \(fixture.companyA) AND sequence = 2"
            )
        }
        let changed = try await database.read(.platform) { try AuditLog.verifyAll($0) }
        #expect(
            changed == [
                AuditLog.Break(companyID: fixture.companyA, sequence: 2, reason: "was changed after it was written")
            ])
        try await database.write(.platform) { connection in
            try connection.execute("DELETE FROM audit_events WHERE company_id = \(fixture.companyB) AND sequence = 1")
        }
        let removed = try await database.read(.platform) { try AuditLog.verifyAll($0) }
        #expect(removed.contains(AuditLog.Break(companyID: fixture.companyB, sequence: 1, reason: "is missing")))
    }

    @Test func theVerifyCommandExitsNonZeroOnABrokenChain() async throws {
        let fixture = try await TenancyFixture.make()
        let directory = fixture.server.directory.path
        #expect(
            await fixture.send(
                .post, "/api/v1/companies/\(fixture.companyA)/teams", as: "adminA", json: #"{"name":"T"}"#
            ).status == 201)
        // On PostgreSQL runs the command needs the test database's URL, as an operator would give it.
        let urls = (try? String(contentsOfFile: directory + "/test-database-url", encoding: .utf8))?
            .split(separator: "\n").map(String.init)
        let environment =
            urls.map { ["CALLCOACH_DATABASE_URL": $0[0], "CALLCOACH_DATABASE_OWNER_URL": $0[1]] } ?? [:]
        let intact = try run(
            callcoachExecutable(), ["audit", "verify", "--data-dir", directory], environment: environment)
        #expect(intact.status == 0)
        #expect(intact.output.contains("intact"))
        try await fixture.server.runtime.database.write(.platform) {
            try $0.execute("UPDATE audit_events SET target = 'forged'")
        }
        let broken = try run(
            callcoachExecutable(), ["audit", "verify", "--data-dir", directory], environment: environment)
        #expect(broken.status == 1)
        #expect(broken.output.contains("entry 1 was changed"))
    }
}

@Suite struct SupportGrantTests {
    @Test func anOperatorReadsACompanyOnlyUnderALiveGrantAndEveryReadIsAudited() async throws {
        let fixture = try await TenancyFixture.make()
        let members = "/api/v1/companies/\(fixture.companyA)/members"
        #expect(await fixture.send(.get, members, as: "platform").status == 404, "no grant: the company is invisible")

        let issued = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyA)/support-grants", as: "adminA",
            json: #"{"operatorEmail":"platform@example.com","hours":1,"reason":"ticket 7"}"#)
        #expect(issued.status == 201)
        let grantID = try string(issued, "id")
        #expect(await fixture.send(.get, members, as: "platform").status == 200)
        #expect(await fixture.send(.get, "/api/v1/companies/\(fixture.companyB)/members", as: "platform").status == 404)
        let write = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyA)/teams", as: "platform", json: #"{"name":"Sneaky"}"#)
        #expect(write.status == 403, "a grant reads; it never writes")

        let visible = try object(
            await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/support-grants", as: "agentA"))
        #expect((visible["grants"] as? [[String: Any]])?.contains { $0["id"] as? String == grantID } == true)
        let log = try object(await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/audit-log", as: "adminA"))
        let actions = (log["events"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
        #expect(actions.contains("support_grant.issued"))
        #expect(actions.contains("support_access.request"))

        #expect(
            await fixture.send(.delete, "/api/v1/companies/\(fixture.companyA)/support-grants/\(grantID)", as: "adminA")
                .status == 204)
        #expect(await fixture.send(.get, members, as: "platform").status == 404, "revoked at once")
    }

    @Test func grantsOnlyGoToOperatorsAndOnlyFromAdmins() async throws {
        let fixture = try await TenancyFixture.make()
        let path = "/api/v1/companies/\(fixture.companyA)/support-grants"
        let toMember = await fixture.send(
            .post, path, as: "adminA", json: #"{"operatorEmail":"agenta@example.com","hours":1,"reason":"x"}"#)
        #expect(toMember.status == 400)
        let tooLong = await fixture.send(
            .post, path, as: "adminA", json: #"{"operatorEmail":"platform@example.com","hours":500,"reason":"x"}"#)
        #expect(tooLong.status == 400)
        let byManager = await fixture.send(
            .post, path, as: "managerA", json: #"{"operatorEmail":"platform@example.com","hours":1,"reason":"x"}"#)
        #expect(byManager.status == 403)
    }

    @Test func onlyPlatformOperatorsCreateCompanies() async throws {
        let fixture = try await TenancyFixture.make()
        let body = #"{"name":"New Co","adminEmail":"boss@newco.example"}"#
        #expect(await fixture.send(.post, "/api/v1/platform/companies", as: "adminA", json: body).status == 403)
        #expect(await fixture.send(.post, "/api/v1/platform/companies", as: "operatorA", json: body).status == 403)
        let created = await fixture.send(.post, "/api/v1/platform/companies", as: "platform", json: body)
        #expect(created.status == 201)
        try await fixture.server.deliverMail()
        let mail = (try? FileManager.default.contentsOfDirectory(atPath: fixture.server.directory.file("outbox"))) ?? []
        #expect(mail.count == 1, "the first admin is invited by e-mail")
        let companyID = try string(created, "id")
        #expect(await fixture.send(.get, "/api/v1/companies/\(companyID)/members", as: "platform").status == 404)
    }
}

/// The service and repository layers, asked directly, agree with the policy for every role.
@Suite struct LayerParityTests {
    @Test func servicesAndRepositoriesDecideAsThePolicyDoes() async throws {
        let fixture = try await TenancyFixture.make()
        let identity = fixture.server.runtime.identity
        var cells = 0
        for actor in ["agentA", "managerA", "adminA", "operatorA"] {
            let membership = try #require(
                try await identity.membership(of: fixture.users[actor]!, in: fixture.companyA))
            let scope = TenantScope(membership: membership)

            // Repository visibility: exactly the members whose relation the actor's reach covers.
            let everyone = try await fixture.server.runtime.database.read(scope.context) {
                try CompanyDirectory(scope: scope).members($0)
            }
            let expected = Set(
                everyone.filter { entry in
                    Policy.reach(of: membership, for: .readMembers)?.covers(
                        scope.relation(toOwner: entry.user.id, ownerTeamIDs: entry.membership.teamIDs)) ?? false
                }.map(\.user.id))
            if Policy.reach(of: membership, for: .readMembers) == nil {
                await #expect(throws: IdentityError.self) { try await identity.members(scope) }
            } else {
                #expect(Set(try await identity.members(scope).map(\.user.id)) == expected, "\(actor)")
            }
            cells += 1

            // Service decisions on company-level actions.
            let decisions: [(Capability, () async throws -> Void)] = [
                (
                    .readAuditLog,
                    { _ = try await identity.auditEvents(scope, action: nil, actorID: nil, before: nil, limit: 1) }
                ),
                (
                    .manageTeams,
                    { _ = try await identity.createTeam(scope, name: "Layer \(actor)", clientAddress: nil) }
                ),
                (.enforceMFA, { try await identity.setRequiresMFA(scope, required: false, clientAddress: nil) }),
                (
                    .issueSupportGrants,
                    {
                        _ = try await identity.issueSupportGrant(
                            scope, operatorEmail: "platform@example.com", hours: 1, reason: "layer test",
                            clientAddress: nil)
                    }
                ),
            ]
            for (capability, action) in decisions {
                let allowed = Policy.allows(membership, capability, on: .sameCompany)
                do {
                    try await action()
                    #expect(allowed, "\(actor) \(capability) was allowed by the service")
                } catch let error as IdentityError {
                    #expect(!allowed && error.code == .forbidden, "\(actor) \(capability): \(error.code)")
                }
                cells += 1
            }
        }
        #expect(cells == 20)
    }
}

@Suite struct ReviewRegressionTests {
    @Test func aCompanyRequiringMFAAdmitsNoMemberWithoutIt() async throws {
        let fixture = try await TenancyFixture.make()
        try await fixture.server.runtime.database.write(.platform) { connection in
            try connection.execute("UPDATE companies SET requires_mfa = 1 WHERE id = \(fixture.companyA)")
        }
        let response = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/teams", as: "agentA")
        #expect(response.status == 403)
        #expect(try string(response, "type") == "/problems/mfa-enrollment-required")
        #expect(await fixture.send(.get, "/api/v1/companies/\(fixture.companyB)/teams", as: "agentB").status == 200)
    }

    @Test func anInvitationNeverChangesAnExistingMembersRole() async throws {
        let fixture = try await TenancyFixture.make()
        let invited = await fixture.send(
            .post, "/api/v1/companies/\(fixture.companyA)/invitations", as: "adminA",
            json: #"{"email":"adminA2@example.com","role":"agent"}"#)
        #expect(invited.status == 202)
        let mail = try #require(
            try await {
                try await fixture.server.deliverMail()
                let folder = fixture.server.directory.file("outbox")
                return try FileManager.default.contentsOfDirectory(atPath: folder).map {
                    try String(contentsOfFile: folder + "/" + $0, encoding: .utf8)
                }.first
            }())
        let accepted = await fixture.server.client().send(
            .post, "/api/v1/invitations/accept", json: #"{"token":"\#(try linkToken(in: mail))"}"#)
        #expect(accepted.status == 204)
        let role = try await fixture.server.runtime.identity.membership(
            of: fixture.users["adminA2"]!, in: fixture.companyA)?
            .role
        #expect(role == .admin)
    }

    @Test func agentsSeeOnlyTheirOwnTeamsRosters() async throws {
        let fixture = try await TenancyFixture.make()
        let response = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)/teams", as: "agentA")
        let teams = try #require(try object(response)["teams"] as? [[String: Any]])
        for team in teams {
            let members = team["memberIDs"] as? [String] ?? []
            #expect(team["id"] as? String == fixture.teamA1 || members.isEmpty)
        }
    }

    @Test func aNulByteInAPathIsRefused() async throws {
        let fixture = try await TenancyFixture.make()
        let response = await fixture.send(.get, "/api/v1/companies/\(fixture.companyA)%00x/members", as: "adminA")
        #expect(response.status == 400)
    }
}

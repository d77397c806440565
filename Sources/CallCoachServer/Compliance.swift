import CallCoachCore
import CallCoachHTTP
import CallCoachScoring
import CallCoachStore
import Foundation

/// `…/compliance-packs` (which packs a company runs) and `…/calls/{callId}/findings`.
struct ComplianceRoutes: Sendable {
    let database: any Database
    let identity: IdentityService
    let calls: CallService

    struct PackView: Encodable {
        struct RuleView: Encodable {
            let id: String
            let title: String
            let regulation: String
            let severity: String
        }

        let id: String
        let name: String
        let version: Int
        let enabled: Bool
        let rules: [RuleView]
    }

    struct FindingView: Encodable {
        let finding: StoredJSON?
    }

    /// The packs a company runs: its own choices over the defaults.
    static func enabledPacks(_ settings: [String: Bool]) -> [CompliancePack] {
        CompliancePacks.all.filter { settings[$0.id] ?? CompliancePacks.enabledByDefault.contains($0.id) }
    }

    func packs(_ scope: TenantScope) async throws -> [PackView] {
        let settings = try await database.read(scope.context) { try ComplianceRecords(scope: scope).settings($0) }
        let enabled = Set(Self.enabledPacks(settings).map(\.id))
        return CompliancePacks.all.map { pack in
            PackView(
                id: pack.id, name: pack.name, version: pack.version, enabled: enabled.contains(pack.id),
                rules: pack.rules.map {
                    PackView.RuleView(
                        id: $0.id, title: $0.title, regulation: $0.regulation, severity: $0.severity.rawValue)
                })
        }
    }

    func register(in router: inout Router) {
        let base = "/api/v1/companies/{companyId}"
        router.add(.get, base + "/compliance-packs", access: Access.company(.readCalls)) { request in
            try .json(try await packs(try request.scope()))
        }
        router.add(
            .patch, base + "/compliance-packs/{packId}", access: Access.company(.configureCompliance), bodyLimit: 1024
        ) { request in
            struct Toggle: Decodable { let enabled: Bool }
            let scope = try request.scope()
            let id = try request.parameter("packId")
            guard let pack = CompliancePacks.pack(id) else { throw IdentityError(.notFound) }
            let toggle = try await StrictJSON.decode(Toggle.self, from: request, allowed: ["enabled"])
            try await database.write(scope.context) { connection in
                try ComplianceRecords(scope: scope).set(
                    packID: pack.id, enabled: toggle.enabled, at: identity.clock(), connection)
                try identity.audit(
                    scope, toggle.enabled ? "compliance_pack.enabled" : "compliance_pack.disabled", target: pack.id,
                    details: ["version": String(pack.version)], clientAddress: request.remoteAddress, connection)
            }
            return try .json(try await packs(scope).first { $0.id == pack.id })
        }
        router.add(.get, base + "/findings", access: Access.company(.readCalls)) { request in
            // The findings of the newest calls within the reader's reach, filtered.
            let scope = try request.scope()
            var filter = CallRecords.Filter()
            filter.agentID = request.queryValue("agentId")
            filter.teamID = request.queryValue("teamId")
            filter.from = try CallRoutes.date(request.queryValue("from"), "from")
            filter.to = try CallRoutes.date(request.queryValue("to"), "to")
            let limit = try CallRoutes.integer(request.queryValue("limit"), in: 1...200) ?? 50
            let severity = request.queryValue("severity")
            if let severity, CompliancePack.Severity(rawValue: severity) == nil {
                throw HTTPError(400, detail: "severity is one of info, low, medium, high, critical.")
            }
            let pack = request.queryValue("packId")
            let recent = try await calls.list(scope, filter: filter, after: nil, limit: limit)
            var found: [StoredJSON] = []
            for call in recent {
                let stored = try await database.read(scope.context) {
                    try ComplianceRecords(scope: scope).findings(callID: call.id, $0)
                }
                for finding in stored
                where (severity == nil || finding.severity == severity)
                    && (pack == nil || finding.packID == pack)
                {
                    guard var object = StoredJSON(text: finding.finding)?.value as? [String: Any] else { continue }
                    object["callId"] = call.id
                    found.append(StoredJSON(object))
                }
            }
            return try .json(found)
        }
        router.add(.get, base + "/calls/{callId}/findings", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"))
            let stored = try await database.read(scope.context) {
                try ComplianceRecords(scope: scope).findings(callID: call.id, $0)
            }
            return try .json(stored.compactMap { StoredJSON(text: $0.finding) })
        }
    }
}

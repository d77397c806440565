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
        /// A pack the company wrote itself, rather than one that ships.
        let custom: Bool
        let rules: [RuleView]
    }

    /// A company pack from `{"definition": {...}}`, checked, with the server's version number put
    /// in; the pack's id and the JSON to store.
    static func definition(_ request: Request, version: Int) async throws -> (String, String) {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(415, detail: "The request body must be application/json.")
        }
        let bytes = try await request.body.collect(upTo: 256 * 1024)
        guard let body = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any], body.count == 1,
            var definition = body["definition"] as? [String: Any]
        else { throw StrictJSON.invalid("The body is {\"definition\": {...}}.") }
        guard definition["version"] == nil else {
            throw StrictJSON.invalid("The server numbers versions; leave \"version\" out.")
        }
        definition["version"] = version
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: definition, options: [.sortedKeys]), as: UTF8.self)
        do {
            let pack = try CompliancePacks.parse(Array(text.utf8))
            return (pack.id, text)
        } catch {
            throw StrictJSON.invalid("The pack is not valid at \(error.path): \(error.message).")
        }
    }

    /// A stored finding as the API shows it: the finding, its call, and whether its follow-up is done.
    static func view(_ finding: StoredFinding) -> StoredJSON {
        var object = (StoredJSON(text: finding.finding)?.value as? [String: Any]) ?? [:]
        object["callId"] = finding.callID
        if let done = finding.doneAt {
            object["followUpDoneAt"] = ISO8601DateFormatter().string(from: done)
            object["followUpDoneBy"] = finding.doneBy
        }
        return StoredJSON(object)
    }

    /// The shipped packs and the company's own, each company pack at its newest version.
    static func available(_ scope: TenantScope, _ connection: any DatabaseConnection) throws -> [CompliancePack] {
        let custom = try ComplianceRecords(scope: scope).customPacks(connection).compactMap {
            try? CompliancePacks.parse(Array($0.definition.utf8))
        }
        return CompliancePacks.all + custom
    }

    /// The packs a company runs: its own choices over the defaults (a company's own pack is on
    /// until switched off).
    static func enabledPacks(_ settings: [String: Bool], among packs: [CompliancePack] = CompliancePacks.all)
        -> [CompliancePack]
    {
        packs.filter { pack in
            settings[pack.id]
                ?? (CompliancePacks.enabledByDefault.contains(pack.id) || CompliancePacks.pack(pack.id) == nil)
        }
    }

    /// What the company runs, for the pipeline: its settings applied to every available pack.
    static func enabledPacks(_ scope: TenantScope, _ database: any Database) async throws -> [CompliancePack] {
        try await database.read(scope.context) { connection in
            enabledPacks(
                try ComplianceRecords(scope: scope).settings(connection), among: try available(scope, connection))
        }
    }

    func packs(_ scope: TenantScope) async throws -> [PackView] {
        let (settings, all) = try await database.read(scope.context) { connection in
            (try ComplianceRecords(scope: scope).settings(connection), try Self.available(scope, connection))
        }
        let enabled = Set(Self.enabledPacks(settings, among: all).map(\.id))
        return all.map { pack in
            PackView(
                id: pack.id, name: pack.name, version: pack.version, enabled: enabled.contains(pack.id),
                custom: CompliancePacks.pack(pack.id) == nil,
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
            .post, base + "/compliance-packs", access: Access.company(.configureCompliance), bodyLimit: 256 * 1024
        ) { request in
            let scope = try request.scope()
            let (id, text) = try await Self.definition(request, version: 1)
            try await database.write(scope.context) { connection in
                guard try Self.available(scope, connection).allSatisfy({ $0.id != id }) else {
                    throw StrictJSON.invalid("A pack with the id \"\(id)\" exists; edit it with PUT.")
                }
                try ComplianceRecords(scope: scope).saveCustomPack(
                    id: id, version: 1, definition: text, at: identity.clock(), connection)
                try identity.audit(
                    scope, "compliance_pack.created", target: id, details: ["version": "1"],
                    clientAddress: request.remoteAddress, connection)
            }
            return try .json(try await packs(scope).first { $0.id == id }, status: 201)
        }
        router.add(
            .put, base + "/compliance-packs/{packId}", access: Access.company(.configureCompliance),
            bodyLimit: 256 * 1024
        ) { request in
            let scope = try request.scope()
            let id = try request.parameter("packId")
            guard CompliancePacks.pack(id) == nil else {
                throw StrictJSON.invalid("A shipped pack cannot be edited; switch it off and write your own.")
            }
            let current = try await database.read(scope.context) {
                try ComplianceRecords(scope: scope).customPacks($0).first { $0.id == id }
            }
            guard let current else { throw IdentityError(.notFound) }
            let (given, text) = try await Self.definition(request, version: current.version + 1)
            guard given == id else { throw StrictJSON.invalid("The definition's id must stay \"\(id)\".") }
            try await database.write(scope.context) { connection in
                try ComplianceRecords(scope: scope).saveCustomPack(
                    id: id, version: current.version + 1, definition: text, at: identity.clock(), connection)
                try identity.audit(
                    scope, "compliance_pack.edited", target: id, details: ["version": String(current.version + 1)],
                    clientAddress: request.remoteAddress, connection)
            }
            return try .json(try await packs(scope).first { $0.id == id })
        }
        router.add(.delete, base + "/compliance-packs/{packId}", access: Access.company(.configureCompliance)) {
            request in
            let scope = try request.scope()
            let id = try request.parameter("packId")
            guard CompliancePacks.pack(id) == nil else {
                throw StrictJSON.invalid("A shipped pack cannot be deleted; switch it off instead.")
            }
            try await database.write(scope.context) { connection in
                guard try ComplianceRecords(scope: scope).deleteCustomPack(id: id, connection) else {
                    throw IdentityError(.notFound)
                }
                try identity.audit(
                    scope, "compliance_pack.deleted", target: id, clientAddress: request.remoteAddress, connection)
            }
            return Response(status: 204)
        }
        router.add(
            .patch, base + "/compliance-packs/{packId}", access: Access.company(.configureCompliance), bodyLimit: 1024
        ) { request in
            struct Toggle: Decodable { let enabled: Bool }
            let scope = try request.scope()
            let id = try request.parameter("packId")
            guard let pack = try await packs(scope).first(where: { $0.id == id }) else {
                throw IdentityError(.notFound)
            }
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
                    found.append(Self.view(finding))
                }
            }
            return try .json(found)
        }
        router.add(.get, base + "/follow-ups", access: Access.company(.readCalls)) { request in
            // Findings that need someone to act, within the reader's reach, soonest due first.
            let scope = try request.scope()
            let status = request.queryValue("status") ?? "open"
            guard status == "open" || status == "done" else {
                throw HTTPError(400, detail: "status is open or done.")
            }
            let stored = try await database.read(scope.context) {
                try ComplianceRecords(scope: scope).followUps(done: status == "done", limit: 500, $0)
            }
            let readable = await calls.readable(scope, stored.map(\.callID))
            return try .json(stored.filter { readable.contains($0.callID) }.map(Self.view))
        }
        router.add(
            .post, base + "/calls/{callId}/findings/{packId}/{ruleId}/done",
            access: Access.company(.configureCompliance)
        ) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"), for: .configureCompliance)
            let (pack, rule) = (try request.parameter("packId"), try request.parameter("ruleId"))
            try await database.write(scope.context) { connection in
                guard
                    try ComplianceRecords(scope: scope).markDone(
                        callID: call.id, packID: pack, ruleID: rule, at: identity.clock(), connection)
                else { throw IdentityError(.notFound) }
                try identity.audit(
                    scope, "follow_up.done", target: call.id, details: ["pack": pack, "rule": rule],
                    clientAddress: request.remoteAddress, connection)
            }
            let stored = try await database.read(scope.context) {
                try ComplianceRecords(scope: scope).findings(callID: call.id, $0)
            }
            guard let finding = stored.first(where: { $0.packID == pack && $0.ruleID == rule }) else {
                throw IdentityError(.notFound)
            }
            return try .json(Self.view(finding))
        }
        router.add(.get, base + "/calls/{callId}/findings", access: Access.company(.readCalls)) { request in
            let scope = try request.scope()
            let call = try await calls.call(scope, id: try request.parameter("callId"))
            let stored = try await database.read(scope.context) {
                try ComplianceRecords(scope: scope).findings(callID: call.id, $0)
            }
            return try .json(stored.map(Self.view))
        }
    }
}

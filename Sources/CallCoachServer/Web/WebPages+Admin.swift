import CallCoachCore
import CallCoachHTTP
import Foundation

/// Scorecards, compliance packs, people and teams, the audit log and the company's settings.
extension WebPages {
    func registerAdminPages(in router: inout Router) {
        page("/companies/{companyId}/scorecards", in: &router) { context in
            try await scorecardList(context)
        }
        page("/companies/{companyId}/scorecards/{scorecardId}", in: &router) { context in
            try await scorecardEditor(context, id: try context.request.parameter("scorecardId"))
        }
        page("/companies/{companyId}/compliance", in: &router) { context in
            try await compliancePage(context)
        }
        page("/companies/{companyId}/people", in: &router) { context in
            try await peoplePage(context)
        }
        page("/companies/{companyId}/audit-log", in: &router) { context in
            try await auditPage(context)
        }
        page("/companies/{companyId}/settings", in: &router) { context in
            try await settingsPage(context)
        }
    }

    /// Pages for configuration: refused with 403 to roles the policy does not give `capability`.
    static func require(_ capability: Capability, _ context: Context) throws {
        guard context.holds(capability) else { throw Refusal(status: 403) }
    }

    // MARK: - Scorecards

    func scorecardList(_ context: Context) async throws -> Page {
        try Self.require(.editScorecards, context)
        let cards = try await read(context.apiBase + "/scorecards", context).array
        let templates = try await read(context.apiBase + "/scorecard-templates", context).array
        let rows = cards.map { card -> HTML in
            let id = card["id"].text
            return """
                <tr><td><a href="\(context.base)/scorecards/\(PercentEncoding.encode(id))">\(card["definition"]["name"].text)</a></td>\
                <td>\(card["version"].text)</td><td>\(card["active"].bool == true ? "active" : "inactive")</td>\
                <td>\(Self.date(card["createdAt"].string))</td></tr>
                """
        }
        let fromTemplate = Self.form(
            context.apiBase + "/scorecards", then: "go", go: context.base + "/scorecards/{id}",
            label: "New scorecard from a template"
        ) {
            Self.select("Template", name: "template", options: templates.map { ($0["id"].text, $0["name"].text) })
            Self.button("Create")
        }
        let fromDefinition = Self.form(
            context.apiBase + "/scorecards", then: "go", go: context.base + "/scorecards/{id}",
            label: "New scorecard from a definition"
        ) {
            HTML(
                """
                <label><span>Definition (JSON, see docs/scorecards.md)</span><textarea name="definition" data-type="json" \
                rows="10" required></textarea></label>
                """)
            Self.button("Create")
        }
        return Page(
            title: "Scorecards",
            body: """
                <h1>Scorecards</h1><section class="card"><table><thead><tr><th>Name</th><th>Version</th><th>State</th>\
                <th>Since</th></tr></thead><tbody>\(rows)</tbody></table></section>
                <div class="grid"><section class="card"><h2>From a template</h2>\(fromTemplate)</section>
                <section class="card"><h2>From your own definition</h2>\(fromDefinition)</section></div>
                """, section: "scorecards")
    }

    func scorecardEditor(_ context: Context, id: String) async throws -> Page {
        try Self.require(.editScorecards, context)
        let path = context.apiBase + "/scorecards/" + PercentEncoding.encode(id)
        let card = try await read(path, context)
        let agreement = await readIfAllowed(path + "/agreement", context)
        let active = card["active"].bool == true
        let editor = Self.form(path, method: "PUT", label: "Edit the scorecard") {
            HTML(
                """
                <label><span>Definition (JSON); saving makes version \((card["version"].int ?? 0) + 1)</span>\
                <textarea name="definition" data-type="json" rows="24" required>\(card["definition"].jsonText)</textarea></label>
                """)
            Self.button("Save a new version")
        }
        let toggle = Self.form(path, method: "PATCH", classes: "inline", label: active ? "Deactivate" : "Activate") {
            HTML("<input type=\"hidden\" name=\"active\" value=\"\(active ? "false" : "true")\" data-type=\"json\">")
            Self.button(active ? "Deactivate" : "Activate", kind: "secondary")
        }
        // The card at a glance: each section's questions, how they are answered and what they weigh.
        var questions: [String: String] = [:]
        let outline = card["definition"]["sections"].array.map { section -> HTML in
            let rows = section["criteria"].array.map { criterion -> HTML in
                questions[criterion["id"].text] = criterion["question"].text
                let answer = criterion["answer"]["scale"].int.map { "scale of \($0)" } ?? "yes / no"
                let autoFail = criterion["autoFail"].string.flatMap { $0 == "none" ? nil : "auto-fail: \($0)" } ?? ""
                return """
                    <tr><td>\(criterion["question"].text)<br><span class="muted">\(criterion["id"].text)</span></td>\
                    <td>\(criterion["kind"].string ?? "rule")</td><td>\(answer)</td><td>\(criterion["weight"].text)</td><td>\(autoFail)</td></tr>
                    """
            }
            return """
                <h3>\(section["title"].string ?? section["id"].text)</h3><table><thead><tr><th>Question</th><th>Kind</th>\
                <th>Answer</th><th>Weight</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
                """
        }
        let agreementRows = (agreement?.array ?? []).map { row -> HTML in
            let id = row["criterionID"].string ?? row["criterionId"].text
            return """
                <tr><td>\(questions[id] ?? id)</td><td>\(row["reviewed"].text)</td><td>\(row["agreed"].text)</td>\
                <td>\(row["rate"].double.map { HTML.number($0 * 100, digits: 0) + " %" } ?? "—")</td>\
                <td>\(row["kappa"].double.map { HTML.number($0, digits: 2) } ?? "—")</td></tr>
                """
        }
        let export: HTML =
            context.holds(.exportData)
            ? "<a href=\"\(path)/evaluations.csv\" download>Export evaluations (CSV)</a>" : .empty
        return Page(
            title: card["definition"]["name"].string ?? "Scorecard",
            body: """
                <h1>\(card["definition"]["name"].text)</h1><p class="muted">Version \(card["version"].text), \
                \(active ? "active" : "inactive") · \(export)</p><div class="actions">\(toggle)</div>
                <section class="card"><h2>Questions</h2>\(outline)</section>
                <section class="card"><h2>Edit</h2><p class="muted">The definition's fields are in docs/scorecards.md; \
                the server checks every rule and names the first problem.</p>\(editor)</section>
                <section class="card"><h2>Agreement with reviewers</h2><table><thead><tr><th>Question</th><th>Reviewed</th>\
                <th>Agreed</th><th>Rate</th><th>Kappa</th></tr></thead><tbody>\(agreementRows)</tbody></table></section>
                """, section: "scorecards")
    }

    // MARK: - Compliance

    func compliancePage(_ context: Context) async throws -> Page {
        try Self.require(.configureCompliance, context)
        let packs = try await read(context.apiBase + "/compliance-packs", context).array
        let rows = packs.map { pack -> HTML in
            let id = pack["id"].text
            let path = context.apiBase + "/compliance-packs/" + PercentEncoding.encode(id)
            let enabled = pack["enabled"].bool == true
            let toggle = Self.form(path, method: "PATCH", classes: "inline", label: "Switch \(pack["name"].text)") {
                HTML(
                    "<input type=\"hidden\" name=\"enabled\" value=\"\(enabled ? "false" : "true")\" data-type=\"json\">"
                )
                Self.button(enabled ? "Switch off" : "Switch on", kind: "secondary")
            }
            let delete: HTML =
                pack["custom"].bool == true
                ? Self.form(path, method: "DELETE", classes: "inline", label: "Delete", extra: " data-nobody") {
                    Self.button("Delete", kind: "danger")
                } : .empty
            let rules = pack["rules"].array.map { rule -> HTML in
                "<li><span class=\"badge \(rule["severity"].text)\">\(rule["severity"].text)</span> \(rule["title"].text)</li>"
            }
            return """
                <section class="card"><h2>\(pack["name"].text) <span class="badge">\(enabled ? "on" : "off")</span></h2>\
                <p class="muted">\(id), version \(pack["version"].text)\(pack["custom"].bool == true ? ", your own" : "")</p>\
                <ul class="plain">\(rules)</ul><div class="actions">\(toggle)\(delete)</div></section>
                """
        }
        let create = Self.form(
            context.apiBase + "/compliance-packs", label: "Add your own pack"
        ) {
            HTML(
                """
                <label><span>Pack definition (JSON, see docs/compliance.md)</span><textarea name="definition" \
                data-type="json" rows="10" required></textarea></label>
                """)
            Self.button("Add the pack")
        }
        return Page(
            title: "Compliance",
            body: """
                <h1>Compliance packs</h1><p>Every call is checked against the packs that are on.</p>\(rows)
                <section class="card"><h2>Your own pack</h2>\(create)</section>
                """, section: "compliance")
    }

    // MARK: - People and teams

    func peoplePage(_ context: Context) async throws -> Page {
        let members = try await read(context.apiBase + "/members", context)["members"].array
        let teams = await readIfAllowed(context.apiBase + "/teams", context)?["teams"].array ?? []
        let roles = Role.allCases.filter { $0 != .superAdmin }.map { ($0.rawValue, $0.rawValue.capitalized) }
        let rows = members.map { member -> HTML in
            let id = member["id"].text
            let path = context.apiBase + "/members/" + PercentEncoding.encode(id)
            let mine = id == context.principal.userID
            let change: HTML =
                context.holds(.changeRoles) && !mine
                ? """
                \(Self.form(path, method: "PATCH", classes: "inline", label: "Change the role of \(member["email"].text)") {
                    Self.select("Role", name: "role", options: roles, selected: member["role"].string)
                    Self.button("Change", kind: "secondary")
                })\(Self.form(path, method: "DELETE", classes: "inline", label: "Remove \(member["email"].text)", extra: " data-nobody") {
                    Self.button("Remove", kind: "danger")
                })
                """ : HTML("\(member["role"].text)")
            let teamNames = member["teamIds"].array.compactMap { id in
                teams.first { $0["id"].string == id.string }?["name"].string
            }
            return """
                <tr><td>\(member["displayName"].text)<br><span class="muted">\(member["email"].text)</span></td>\
                <td>\(change)</td><td>\(teamNames.joined(separator: ", "))</td></tr>
                """
        }
        let invite: HTML =
            context.holds(.inviteUsers)
            ? """
            <section class="card"><h2>Invite someone</h2>\(Self.form(context.apiBase + "/invitations", then: "show", label: "Invite someone", extra: " data-message=\"The invitation is on its way.\"") {
                Self.field("E-mail", name: "email", type: "email", required: true)
                Self.select("Role", name: "role", options: roles, selected: "agent")
                Self.button("Send the invitation")
            })</section>
            """ : .empty
        var teamSections: [HTML] = []
        for team in teams {
            let id = team["id"].text
            let path = context.apiBase + "/teams/" + PercentEncoding.encode(id)
            let memberIDs = Set(team["memberIDs"].array.compactMap(\.string))
            // A manager runs the membership of their own teams only.
            let inTeam = context.scope?.membership.teamIDs.contains(id) ?? false
            let canManageMembers = context.can(.manageTeamMembers, on: inTeam ? .sameTeam : .sameCompany)
            let list = members.filter { memberIDs.contains($0["id"].text) }.map { member -> HTML in
                let remove: HTML =
                    canManageMembers
                    ? Self.form(
                        path + "/members/" + PercentEncoding.encode(member["id"].text), method: "DELETE",
                        classes: "inline",
                        label: "Take \(member["email"].text) off the team", extra: " data-nobody"
                    ) { Self.button("Take off", kind: "secondary") } : .empty
                return "<li>\(member["displayName"].text) \(remove)</li>"
            }
            let others = members.filter { !memberIDs.contains($0["id"].text) }
            let add: HTML =
                canManageMembers && !others.isEmpty
                ? """
                <form class="inline" data-api="\(path)/members/" data-method="PUT" data-then="reload" data-member-path \
                aria-label="Add to \(team["name"].text)"><label><span>Add</span><select data-member>\
                \(others.map { "<option value=\"\($0["id"].text)\">\($0["displayName"].text)</option>" as HTML })</select></label> \
                <button type="submit" class="secondary">Add</button><p class="status" role="status"></p></form>
                """ : .empty
            let manage: HTML =
                context.holds(.manageTeams)
                ? """
                \(Self.form(path, method: "PATCH", classes: "inline", label: "Rename \(team["name"].text)") {
                    Self.field("New name", name: "name", value: team["name"].text, required: true)
                    Self.button("Rename", kind: "secondary")
                })\(Self.form(path, method: "DELETE", classes: "inline", label: "Delete \(team["name"].text)", extra: " data-nobody") {
                    Self.button("Delete the team", kind: "danger")
                })
                """ : .empty
            teamSections.append(
                """
                <section class="card"><h2>\(team["name"].text)</h2><ul class="plain">\(list)</ul>\(add)\
                <div class="actions">\(manage)</div></section>
                """)
        }
        let newTeam: HTML =
            context.holds(.manageTeams)
            ? """
            <section class="card"><h2>New team</h2>\(Self.form(context.apiBase + "/teams", label: "New team") {
                Self.field("Name", name: "name", required: true)
                Self.button("Create")
            })</section>
            """ : .empty
        return Page(
            title: "People",
            body: """
                <h1>People and teams</h1><div class="grid">\(invite)\(newTeam)</div>
                <section class="card"><h2>Members</h2><table><thead><tr><th>Person</th><th>Role</th><th>Teams</th></tr></thead>
                <tbody>\(rows)</tbody></table></section><h2>Teams</h2><div class="grid">\(teamSections)</div>
                """, section: "people")
    }

    // MARK: - Audit log

    func auditPage(_ context: Context) async throws -> Page {
        let request = context.request
        var query = ["limit=100"]
        for name in ["action", "actor", "before"] {
            if let value = request.queryValue(name), !value.isEmpty {
                query.append("\(name)=\(PercentEncoding.encode(value))")
            }
        }
        let events = try await read(context.apiBase + "/audit-log?" + query.joined(separator: "&"), context)["events"]
            .array
        let names = await names(context)
        let rows = events.map { event -> HTML in
            let details = event["details"].string ?? event["details"].jsonText
            return """
                <tr><td>\(event["sequence"].text)</td><td>\(Self.date(event["occurredAt"].string))</td>\
                <td>\(event["actorEmail"].text)</td><td><code>\(event["action"].text)</code></td><td>\(event["target"].text)</td>\
                <td><code>\(details)</code></td><td><abbr title="previous \(event["previousHash"].text)">\(String(event["hash"].text.prefix(12)))</abbr></td></tr>
                """
        }
        let actors = [("", "Anyone")] + names.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }
        let older: HTML =
            events.count == 100
            ? "<p><a href=\"\(context.base)/audit-log?before=\(events.last?["sequence"].text ?? "")&amp;action=\(PercentEncoding.encode(request.queryValue("action") ?? ""))&amp;actor=\(PercentEncoding.encode(request.queryValue("actor") ?? ""))\">Older events</a></p>"
                as HTML : .empty
        return Page(
            title: "Audit log",
            body: """
                <h1>Audit log</h1><form class="filters card" method="get" action="\(context.base)/audit-log" aria-label="Filter the audit log">
                <label><span>Action</span><input type="text" name="action" value="\(request.queryValue("action"))" placeholder="e.g. member.invited"></label>
                \(Self.select("Actor", name: "actor", options: actors, selected: request.queryValue("actor")))
                <button type="submit">Filter</button> <a href="\(context.base)/audit-log">Clear</a></form>
                <section class="card"><p class="muted">Each entry carries the hash of the one before it; \
                <code>callcoach audit verify</code> reports the first broken link.</p><table><thead><tr><th>#</th><th>When</th>\
                <th>Who</th><th>Action</th><th>Target</th><th>Details</th><th>Hash</th></tr></thead><tbody>\(rows)</tbody></table>\
                \(older)</section>
                """, section: "audit-log")
    }

    // MARK: - Settings

    func settingsPage(_ context: Context) async throws -> Page {
        guard Self.settingsCapabilities.contains(where: context.holds) else { throw Refusal(status: 403) }
        var sections: [HTML] = []
        if context.holds(.configureAI), let ai = await readIfAllowed(context.apiBase + "/ai-configuration", context) {
            sections.append(
                """
                <section class="card"><h2>AI configuration</h2>\(Self.form(context.apiBase + "/ai-configuration", method: "PUT", label: "AI configuration", extra: " data-switch=\"transcriber\"") {
                    Self.select(
                        "Transcription", name: "transcriber",
                        options: [
                            ("whisper", "whisper.cpp on this server"), ("openai-compatible", "An OpenAI-compatible service"),
                            ("none", "None: talk time only, or the transcript uploaded with the call"),
                        ],
                        selected: ai["transcriber"].string)
                    Self.field("Service address (for a service)", name: "baseUrl", value: ai["baseUrl"].text,
                        extra: " data-optional data-for=\"openai-compatible\"")
                    Self.field("Model", name: "model", value: ai["model"].text,
                        extra: " data-optional data-for=\"whisper openai-compatible\"")
                    Self.field(
                        ai["apiKeySet"].bool == true ? "API key (set; leave empty to keep it)" : "API key",
                        name: "apiKey", type: "password",
                        extra: " data-optional data-for=\"openai-compatible\" autocomplete=\"off\"")
                    Self.field("LLM address for LLM questions", name: "llmBaseUrl", value: ai["llmBaseUrl"].text, extra: " data-optional")
                    Self.field("LLM model", name: "llmModel", value: ai["llmModel"].text, extra: " data-optional")
                    Self.field(
                        ai["llmApiKeySet"].bool == true ? "LLM API key (set; leave empty to keep it)" : "LLM API key",
                        name: "llmApiKey", type: "password", extra: " data-optional autocomplete=\"off\"")
                    Self.button("Save")
                })</section>
                """)
        }
        if context.holds(.enforceMFA), let policy = await readIfAllowed(context.apiBase + "/mfa-policy", context) {
            let required = policy["required"].bool == true
            sections.append(
                """
                <section class="card"><h2>Two-step verification</h2><p>Currently \(required ? "required of everyone" : "optional").</p>\
                \(Self.form(context.apiBase + "/mfa-policy", method: "PUT", label: "Two-step verification policy") {
                    HTML("<input type=\"hidden\" name=\"required\" value=\"\(required ? "false" : "true")\" data-type=\"json\">")
                    Self.button(required ? "Make it optional" : "Require it of everyone", kind: required ? "danger" : "")
                })</section>
                """)
        }
        if context.holds(.configureNotifications),
            let policy = await readIfAllowed(context.apiBase + "/notification-policy", context)
        {
            sections.append(Self.notificationSection(context, policy))
        }
        if let grants = await readIfAllowed(context.apiBase + "/support-grants", context) {
            let rows = grants["grants"].array.map { grant -> HTML in
                let revoke: HTML =
                    context.holds(.issueSupportGrants) && grant["revokedAt"].string == nil
                    ? Self.form(
                        context.apiBase + "/support-grants/" + PercentEncoding.encode(grant["id"].text),
                        method: "DELETE",
                        classes: "inline", label: "Revoke", extra: " data-nobody"
                    ) { Self.button("Revoke", kind: "danger") } : .empty
                return """
                    <tr><td>\(grant["operatorID"].text)</td><td>\(grant["reason"].text)</td>\
                    <td>\(Self.date(grant["expiresAt"].string))</td><td>\(grant["revokedAt"].string == nil ? "" : "revoked")</td><td>\(revoke)</td></tr>
                    """
            }
            let issue: HTML =
                context.holds(.issueSupportGrants)
                ? Self.form(context.apiBase + "/support-grants", label: "Grant support access") {
                    Self.field("Operator's e-mail", name: "operatorEmail", type: "email", required: true)
                    Self.field(
                        "Hours (1 to 72)", name: "hours", type: "number", value: "4", required: true,
                        extra: " data-type=\"number\" min=\"1\" max=\"72\"")
                    Self.field("Reason", name: "reason", required: true)
                    Self.button("Grant")
                } : .empty
            sections.append(
                """
                <section class="card"><h2>Support access</h2><p class="muted">A platform operator reads your calls only \
                while a grant lasts; every request is in your audit log.</p><table><thead><tr><th>Operator</th><th>Reason</th>\
                <th>Until</th><th></th><th></th></tr></thead><tbody>\(rows)</tbody></table>\(issue)</section>
                """)
        }
        if let letters = await readIfAllowed(context.apiBase + "/dead-letters", context) {
            sections.append(Self.deadLetterSection(letters, requeue: context.apiBase + "/dead-letters/"))
        }
        return Page(
            title: "Settings", body: "<h1>Company settings</h1><div class=\"grid\">\(sections)</div>",
            section: "settings")
    }

    /// The rights any of which opens the settings page.
    static let settingsCapabilities: [Capability] = [
        .configureAI, .enforceMFA, .configureNotifications, .issueSupportGrants,
    ]

    static func notificationSection(_ context: Context, _ policy: JSONNode) -> HTML {
        let severities = NotificationPolicy.severities.map {
            ($0, $0 == "off" ? "Never" : "\($0.capitalized) and above")
        }
        let checkbox = { (name: String, label: String) -> HTML in
            let checked: HTML = policy[name].bool == true ? " checked" : .empty
            return "<label><input type=\"checkbox\" name=\"\(name)\"\(checked)> \(label)</label>"
        }
        return """
            <section class="card"><h2>Notifications</h2>\(form(context.apiBase + "/notification-policy", method: "PUT", then: "show", label: "Notification policy", extra: " data-message=\"Saved.\"") {
                select(
                    "E-mail managers and admins about findings", name: "findingSeverity", options: severities,
                    selected: policy["findingSeverity"].string)
                checkbox("disputes", "E-mail the agent's managers when an agent disputes an answer")
                checkbox("evaluations", "E-mail agents when one of their calls is scored")
                button("Save")
            })<p class="muted">Mail names the rule and links to the call; it carries no words from the call.</p></section>
            """
    }

    /// Jobs that ran out of attempts, with a requeue button each; the company's or the platform's.
    static func deadLetterSection(_ letters: JSONNode, requeue: String) -> HTML {
        let rows = letters["deadLetters"].array.map { letter -> HTML in
            """
            <tr><td>\(letter["kind"].text) \(letter["subject"].text)</td><td>\(letter["error"].text) \
            (\(letter["attempts"].text) attempts)</td><td>\(Self.date(letter["failedAt"].string))</td><td>\(Self.form(requeue + PercentEncoding.encode(letter["id"].text) + "/requeue", classes: "inline", label: "Requeue", extra: " data-nobody") {
                Self.button("Requeue", kind: "secondary")
            })</td></tr>
            """
        }
        return """
            <section class="card" id="dead-letters"><h2>Dead letters</h2>\
            \(rows.isEmpty ? "<p class=\"muted\">None: every call was processed.</p>" as HTML : "<table><thead><tr><th>Job</th><th>Why</th><th>When</th><th></th></tr></thead><tbody>\(rows)</tbody></table>")</section>
            """
    }
}

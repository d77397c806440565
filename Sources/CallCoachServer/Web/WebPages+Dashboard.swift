import CallCoachCore
import CallCoachHTTP
import CallCoachStore
import Foundation

/// The dashboard: what an agent, a manager or an admin wants to see first.
extension WebPages {
    /// The newest calls within the caller's reach (at most 1,000), with their scores.
    struct Scored {
        let call: Call
        let score: Double?
    }

    func scoredCalls(_ scope: TenantScope) async throws -> [Scored] {
        var all: [Call] = []
        var cursor: (Date, String)?
        while all.count < 1000 {
            let page = try await calls.list(scope, filter: CallRecords.Filter(), after: cursor, limit: 200)
            all += page
            guard page.count == 200, let last = page.last else { break }
            cursor = (last.createdAt, last.id)
        }
        let scores = try await scores(scope, since: all.map(\.createdAt).min())
        return all.map { Scored(call: $0, score: scores[$0.id]?.total) }
    }

    /// Average score per day, oldest first, the last `days` days that have scores.
    static func trend(_ calls: [Scored], days: Int = 12) -> [(label: String, value: Double)] {
        var byDay: [String: [Double]] = [:]
        for item in calls {
            guard let score = item.score else { continue }
            byDay[String(date(item.call.startedAt ?? item.call.createdAt).prefix(10)), default: []].append(score)
        }
        return byDay.keys.sorted().suffix(days).map { day in
            let values = byDay[day] ?? []
            return (String(day.dropFirst(5)), values.reduce(0, +) / Double(max(values.count, 1)))
        }
    }

    /// "1 call", "2 calls".
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    static func average(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    func dashboard(_ context: Context) async throws -> Page {
        let scope = try context.scope.orThrow()
        let scored = try await scoredCalls(scope)
        let names = await names(context)
        let role = context.role ?? .agent
        let average = Self.average(scored.compactMap(\.score))
        var sections: [HTML] = []
        let figures: HTML = """
            <div class="grid"><section class="card"><h2>Average score</h2><p class="figure">\
            \(average.map { HTML.number($0, digits: 0) } ?? "—")</p><p class="muted">over \(Self.count(scored.filter { $0.score != nil }.count, "scored call"))</p></section>
            <section class="card"><h2>Calls processed</h2><p class="figure">\(scored.filter { $0.call.status == .ready }.count)</p>
            <p class="muted">\(scored.filter { $0.call.status == .failed }.count) failed, \
            \(scored.filter { ![.ready, .failed].contains($0.call.status) }.count) in progress</p></section>
            \(try await complianceFigure(context, scored: scored))
            \(role == .admin || context.holds(.manageFailedJobs) ? await deadLetterFigure(context) : .empty)</div>
            """
        sections.append(figures)
        sections.append(
            """
            <section class="card"><h2>Score trend</h2>\(Charts.trend("Average score by day", Self.trend(scored)))</section>
            """)
        if role == .manager || role == .admin {
            sections.append(try await teamSection(context, scored: scored, names: names))
        }
        sections.append(await coachingSection(context, names: names))
        let recent = scored.prefix(8).map { item -> HTML in
            """
            <li><a href="\(context.base)/calls/\(PercentEncoding.encode(item.call.id))">\(Self.date(item.call.startedAt ?? item.call.createdAt))</a> \
            \(item.call.agentID.map { names[$0] ?? "an agent" } ?? "") <span class="badge \(item.call.status.rawValue)">\(item.call.status.rawValue)</span> \
            \(item.score.map { "score \(HTML.number($0, digits: 0))" } ?? "")</li>
            """
        }
        sections.append(
            """
            <section class="card"><h2>\(role == .agent ? "Your latest calls" : "Latest calls")</h2>\
            \(recent.isEmpty ? "<p class=\"muted\">No calls yet.</p>" as HTML : "<ul class=\"plain\">\(recent)</ul>")</section>
            """)
        let heading =
            switch role {
            case .agent: "Your calls"
            case .manager: "Your teams"
            default: "The company"
            }
        return Page(title: "Dashboard", body: "<h1>\(heading)</h1>\(sections)", section: "dashboard")
    }

    /// The share of processed calls with no compliance finding.
    func complianceFigure(_ context: Context, scored: [Scored]) async throws -> HTML {
        let findings = await readIfAllowed(context.apiBase + "/findings?limit=200", context)?.array ?? []
        let flagged = Set(findings.map { $0["callId"].text })
        let ready = scored.prefix(200).filter { $0.call.status == .ready }
        guard !ready.isEmpty else {
            return "<section class=\"card\"><h2>Compliance rate</h2><p class=\"figure\">—</p></section>"
        }
        let clean = ready.filter { !flagged.contains($0.call.id) }.count
        let rate = Double(clean) / Double(ready.count) * 100
        return """
            <section class="card"><h2>Compliance rate</h2><p class="figure">\(rate, digits: 0) %</p>
            <p class="muted">\(clean) of \(Self.count(ready.count, "processed call")) without a finding; \(Self.count(findings.count, "finding"))</p></section>
            """
    }

    func deadLetterFigure(_ context: Context) async -> HTML {
        guard let letters = await readIfAllowed(context.apiBase + "/dead-letters", context) else { return .empty }
        let count = letters["deadLetters"].array.count
        return """
            <section class="card"><h2>Dead letters</h2><p class="figure">\(count)</p><p class="muted">calls whose \
            processing gave up; requeue them from <a href="\(context.base)/settings#dead-letters">settings</a></p></section>
            """
    }

    /// Each agent's average against their team's, as bars with the team's benchmark.
    func teamSection(_ context: Context, scored: [Scored], names: [String: String]) async throws -> HTML {
        let teams = await readIfAllowed(context.apiBase + "/teams", context)?["teams"].array ?? []
        var parts: [HTML] = []
        for team in teams {
            let members = Set(team["memberIDs"].array.compactMap(\.string))
            let teamScores = scored.filter { $0.call.agentID.map(members.contains) ?? false }
            let benchmark = Self.average(teamScores.compactMap(\.score))
            let rows = members.sorted { (names[$0] ?? $0) < (names[$1] ?? $1) }.compactMap { member in
                Self.average(teamScores.filter { $0.call.agentID == member }.compactMap(\.score)).map {
                    (label: names[member] ?? "an agent", value: $0, benchmark: benchmark)
                }
            }
            parts.append(
                """
                <h3>\(team["name"].text) \(benchmark.map { "· team average \(HTML.number($0, digits: 0))" } ?? "")</h3>\
                \(Charts.bars("Agents of \(team["name"].text) against the team average", rows))
                """)
        }
        return """
            <section class="card"><h2>Agents against their team</h2>\
            \(parts.isEmpty ? "<p class=\"muted\">No teams yet.</p>" as HTML : HTML.join(parts))</section>
            """
    }

    func coachingSection(_ context: Context, names: [String: String]) async -> HTML {
        let assignments = await readIfAllowed(context.apiBase + "/coaching-assignments", context)?.array ?? []
        let open = assignments.filter { !$0["doneAt"].exists }
        let items = open.prefix(20).map { assignment -> HTML in
            let call = assignment["callID"].string ?? assignment["callId"].text
            let agent = assignment["agentID"].string ?? assignment["agentId"].text
            let done: HTML =
                agent == context.principal.userID
                ? Self.form(
                    context.apiBase + "/coaching-assignments/" + PercentEncoding.encode(assignment["id"].text)
                        + "/done",
                    classes: "inline", label: "Mark done", extra: " data-nobody"
                ) { Self.button("Done", kind: "secondary") }
                : .empty
            return """
                <li><a href="\(context.base)/calls/\(PercentEncoding.encode(call))">\(names[agent] ?? "an agent"): \
                \(assignment["criteria"].array.map(\.text).joined(separator: ", "))</a> \(assignment["note"].text) \(done)</li>
                """
        }
        return """
            <section class="card"><h2>Coaching</h2>\
            \(items.isEmpty ? "<p class=\"muted\">Nothing assigned.</p>" as HTML : "<ul class=\"plain\">\(items)</ul>")</section>
            """
    }
}

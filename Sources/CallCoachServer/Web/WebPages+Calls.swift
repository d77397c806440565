import CallCoachCore
import CallCoachHTTP
import CallCoachStore
import Foundation

/// The calls list with its filters and the upload, and a call's page: player, transcript,
/// timeline, metrics, scorecards with evidence, findings and comments.
extension WebPages {
    func registerCallPages(in router: inout Router) {
        page("/companies/{companyId}", in: &router) { context in
            try await dashboard(context)
        }
        page("/companies/{companyId}/calls", in: &router) { context in
            try await callList(context)
        }
        page("/companies/{companyId}/calls/{callId}", in: &router) { context in
            try await callPage(context, id: try context.request.parameter("callId"))
        }
    }

    /// The newest evaluation total of each call, over the evaluations made since `since` (the
    /// oldest listed call's upload: no call is evaluated before it arrives).
    func scores(_ scope: TenantScope, since: Date?) async throws -> [String: (
        total: Double, autoFailed: Bool, at: Date
    )] {
        guard let since else { return [:] }
        let stored = try await database.read(scope.context) { connection in
            try ScorecardRecords(scope: scope).evaluations(since: since, connection)
        }
        var byCall: [String: (total: Double, autoFailed: Bool, at: Date)] = [:]
        for evaluation in stored {
            guard let total = evaluation.total else { continue }
            if let earlier = byCall[evaluation.callID], earlier.at >= evaluation.createdAt { continue }
            byCall[evaluation.callID] = (total, evaluation.evaluation?.autoFailed ?? false, evaluation.createdAt)
        }
        return byCall
    }

    /// People's names by id, as far as the caller may read the member list.
    func names(_ context: Context) async -> [String: String] {
        guard let members = await readIfAllowed(context.apiBase + "/members", context) else { return [:] }
        var names: [String: String] = [:]
        for member in members["members"].array {
            if let id = member["id"].string { names[id] = member["displayName"].string ?? member["email"].text }
        }
        return names
    }

    // MARK: - Calls

    func callList(_ context: Context) async throws -> Page {
        let request = context.request
        let scope = try context.scope.orThrow()
        // The filters the API applies, checked here first: a bad value is dropped and named, not a failed page.
        var filters: [String] = []
        var ignored: [String] = []
        for (name, key) in [("agent", "agentId"), ("team", "teamId")] {
            if let value = request.queryValue(name), !value.isEmpty {
                filters.append("\(key)=\(PercentEncoding.encode(value))")
            }
        }
        if let value = request.queryValue("status"), !value.isEmpty {
            if CallStatus(rawValue: value) != nil {
                filters.append("status=\(value)")
            } else {
                ignored.append("status")
            }
        }
        for name in ["from", "to"] {
            guard let value = request.queryValue(name), !value.isEmpty else { continue }
            // A date field gives a day; the API wants an instant.
            let instant = value.count == 10 ? value + (name == "from" ? "T00:00:00Z" : "T23:59:59Z") : value
            if Self.instant(instant) != nil {
                filters.append("\(name)=\(PercentEncoding.encode(instant))")
            } else {
                ignored.append(name)
            }
        }
        let filterQuery = filters.map { "&" + $0 }.joined()
        let listed = try await read(context.apiBase + "/calls?limit=200" + filterQuery, context)["calls"].array
        let oldest = listed.compactMap { Self.instant($0["createdAt"].string) }.min()
        let scores = try await scores(scope, since: oldest)
        let names = await names(context)
        // The findings of the same calls: the same filters (but status), the same 200.
        let findingQuery = filters.filter { !$0.hasPrefix("status=") }.map { "&" + $0 }.joined()
        let findings = await readIfAllowed(context.apiBase + "/findings?limit=200" + findingQuery, context)?.array ?? []
        var findingCounts: [String: Int] = [:]
        for finding in findings { findingCounts[finding["callId"].text, default: 0] += 1 }
        let minimum = request.queryValue("min").flatMap(Double.init)
        let maximum = request.queryValue("max").flatMap(Double.init)
        let withFindings = request.queryValue("findings") ?? ""
        let search = (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespaces)
        var shown = listed.filter { call in
            let id = call["id"].text
            let score = scores[id]?.total
            if let minimum, (score ?? -1) < minimum { return false }
            if let maximum, score.map({ $0 > maximum }) ?? true { return false }
            if withFindings == "yes" && findingCounts[id] == nil { return false }
            if withFindings == "no" && findingCounts[id] != nil { return false }
            return true
        }
        var searched = 0
        if !search.isEmpty {
            // Transcripts are sealed blobs: the search reads those of the newest 50 matching calls.
            var hits: [JSONNode] = []
            for call in shown.filter({ $0["status"].string == "ready" }).prefix(50) {
                searched += 1
                let transcript = await readIfAllowed(
                    context.apiBase + "/calls/\(PercentEncoding.encode(call["id"].text))/transcript", context)
                let text = transcript?["utterances"].array.map { $0["text"].text }.joined(separator: " ") ?? ""
                if text.range(of: search, options: [.caseInsensitive, .diacriticInsensitive]) != nil {
                    hits.append(call)
                }
            }
            shown = hits
        }
        let teams = await readIfAllowed(context.apiBase + "/teams", context)?["teams"].array ?? []
        let rows = shown.map { call -> HTML in
            let id = call["id"].text
            let score: HTML = scores[id].map { "\($0.total, digits: 0)\($0.autoFailed ? " (auto-fail)" : "")" } ?? "—"
            let agent = call["agentID"].string.map { names[$0] ?? "an agent" } ?? "—"
            let status = call["status"].text
            return """
                <tr><td><a href="\(context.base)/calls/\(PercentEncoding.encode(id))">\(Self.date(call["startedAt"].string ?? call["createdAt"].string))</a></td>\
                <td>\(agent)</td><td>\(Self.duration(call["duration"].double))</td>\
                <td><span class="badge \(status)">\(status)</span></td><td>\(score)</td><td>\(findingCounts[id] ?? 0)</td></tr>
                """
        }
        let agentOptions = [("", "Anyone")] + names.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }
        let teamOptions = [("", "Any team")] + teams.map { ($0["id"].text, $0["name"].text) }
        let statusOptions = [("", "Any status")] + CallStatus.allCases.map { ($0.rawValue, $0.rawValue) }
        let filterForm: HTML = """
            <form class="filters card" method="get" action="\(context.base)/calls" role="search" aria-label="Filter calls">
            <label><span>Search transcripts</span><input type="search" name="q" value="\(search)"></label>
            \(Self.select("Agent", name: "agent", options: agentOptions, selected: request.queryValue("agent")))
            \(Self.select("Team", name: "team", options: teamOptions, selected: request.queryValue("team")))
            <label><span>From</span><input type="date" name="from" value="\(request.queryValue("from"))"></label>
            <label><span>To</span><input type="date" name="to" value="\(request.queryValue("to"))"></label>
            <label><span>Score from</span><input type="number" name="min" min="0" max="100" value="\(request.queryValue("min"))"></label>
            <label><span>to</span><input type="number" name="max" min="0" max="100" value="\(request.queryValue("max"))"></label>
            \(Self.select("Findings", name: "findings", options: [("", "Any"), ("yes", "With findings"), ("no", "Without")], selected: withFindings))
            \(Self.select("Status", name: "status", options: statusOptions, selected: request.queryValue("status")))
            <button type="submit">Filter</button> <a href="\(context.base)/calls">Clear</a></form>
            """
        let searchNote: HTML =
            search.isEmpty
            ? .empty : "<p class=\"muted\">Searched the transcripts of the \(searched) newest matching calls.</p>"
        let ignoredNote: HTML =
            ignored.isEmpty
            ? .empty
            : "<p class=\"status error\" role=\"alert\">Not a valid filter, left out: \(ignored.joined(separator: ", ")).</p>"
        return Page(
            title: "Calls",
            body: """
                <h1>Calls</h1>\(context.holds(.uploadCalls) ? uploadForm(context, teams: teams, names: names) : .empty)
                \(filterForm)<section class="card">\(ignoredNote)\(searchNote)<table><caption class="muted">\(Self.count(shown.count, "call"))</caption>
                <thead><tr><th>When</th><th>Agent</th><th>Length</th><th>Status</th><th>Score</th><th>Findings</th></tr></thead>
                <tbody>\(rows)</tbody></table></section>
                """, section: "calls")
    }

    func uploadForm(_ context: Context, teams: [JSONNode], names: [String: String]) -> HTML {
        let agents = [("", "Not said")] + names.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }
        return """
            <section class="card"><h2>Upload a call</h2>
            <form id="upload" class="stack" data-upload="\(context.apiBase)/calls" data-page="\(context.base)/calls" aria-label="Upload a call">
            <div class="grid"><label><span>Recording (WAV, MP3, FLAC, OGG)</span>
            <input type="file" id="upload-file" name="audio" accept="audio/*" required></label>
            <label><span>Agent</span><select name="agentId" data-meta>\(agents.map { "<option value=\"\($0.0)\">\($0.1)</option>" as HTML })</select></label>
            <label><span>Direction</span><select name="direction" data-meta><option value="">Not said</option>
            <option value="inbound">Inbound</option><option value="outbound">Outbound</option></select></label></div>
            <label><span>Transfer</span><progress id="upload-progress" max="100" value="0">0%</progress></label>
            <button type="submit">Upload</button><p class="status" id="upload-status" role="status" aria-live="polite"></p>
            <div id="processing" hidden><label><span>Processing: <strong id="processing-status">queued</strong></span>
            <progress id="processing-progress" max="100" value="0"></progress></label>
            <a id="processing-link" hidden>Open the call</a></div></form></section>
            """
    }

    // MARK: - One call

    func callPage(_ context: Context, id: String) async throws -> Page {
        let scope = try context.scope.orThrow()
        let path = context.apiBase + "/calls/" + PercentEncoding.encode(id)
        let call = try await read(path, context)
        let stored = try await calls.call(scope, id: id)
        let relation = CallService.relation(of: scope, to: stored)
        let names = await names(context)
        let ready = call["status"].string == "ready"
        let transcript = ready ? await readIfAllowed(path + "/transcript", context) : nil
        let evaluations = ready ? (await readIfAllowed(path + "/evaluations", context)?.array ?? []) : []
        let findings = ready ? (await readIfAllowed(path + "/findings", context)?.array ?? []) : []
        let comments = await readIfAllowed(path + "/comments", context)?.array ?? []
        var cards: [String: JSONNode] = [:]
        for evaluation in evaluations {
            let cardID = evaluation["scorecardId"].text
            if cards[cardID] == nil {
                cards[cardID] = await readIfAllowed(
                    context.apiBase + "/scorecards/" + PercentEncoding.encode(cardID), context)
            }
        }
        let metrics = call["report"]["metrics"]
        let duration = metrics["callDuration"]["value"].double ?? call["duration"].double ?? 0
        let agent = stored.agentID.map { names[$0] ?? "an agent" } ?? "no agent named"
        let status = call["status"].text
        let processing: HTML =
            ready
            ? .empty
            : """
            <section class="card"><p>Status: <span class="badge \(status)">\(status)</span> \(call["progress"].int ?? 0)%\
            \(call["failure"].string.map { " — \($0)" } ?? "")</p></section>
            """
        // A call uploaded as a transcript has no recording to play; its timeline still shows who spoke when.
        let audio: HTML =
            stored.source == .audio
            ? """
            <audio id="player" controls preload="auto" src="\(path)/audio">Your browser cannot play this recording.</audio>
            """ : "<p class=\"muted\">This call was uploaded as a transcript; there is no recording.</p>"
        let player: HTML = """
            <section class="card"><h2>Recording</h2>\(audio)
            \(ready ? timeline(metrics, findings: findings, duration: duration) : .empty)</section>
            """
        let body: HTML = """
            <h1>Call with \(agent)</h1><p class="muted">\(Self.date(call["startedAt"].string ?? call["createdAt"].string)) · \
            \(Self.duration(call["duration"].double)) · \(call["direction"].string ?? "direction not said")</p>
            \(processing)\(player)
            <div class="split"><div>\(transcriptSection(transcript))\(metricSection(metrics))</div>
            <div>\(evaluations.map { evaluationSection($0, card: cards[$0["scorecardId"].text], context: context, call: stored, relation: relation, callPath: path) })
            \(findingSection(findings))\(commentSection(comments, names: names, context: context, relation: relation, callPath: path))</div></div>
            """
        return Page(title: "Call", body: body, section: "calls")
    }

    func timeline(_ metrics: JSONNode, findings: [JSONNode], duration: Double) -> HTML {
        var lanes: [String: [(Double, Double)]] = [:]
        var order: [String] = []
        for turn in metrics["turns"].array {
            let role = turn["role"].string ?? turn["speaker"].text
            if lanes[role] == nil { order.append(role) }
            lanes[role, default: []].append((turn["start"].double ?? 0, turn["end"].double ?? 0))
        }
        var marks: [Charts.Mark] = []
        for finding in findings {
            let at = finding["evidence"].array.first?["start"].double ?? 0
            marks.append(Charts.Mark(at: at, end: nil, kind: "finding", label: finding["title"].text))
        }
        for silence in metrics["nonTalk"]["instances"].array {
            marks.append(
                Charts.Mark(
                    at: silence["start"].double ?? 0, end: silence["end"].double, kind: "silence", label: "Silence"))
        }
        for party in ["agent", "customer"] {
            for instance in metrics[party]["interruptions"]["instances"].array {
                let at = instance["start"].double ?? instance["at"].double ?? 0
                marks.append(Charts.Mark(at: at, end: nil, kind: "interruption", label: "The \(party) interrupts"))
            }
        }
        return Charts.timeline(
            duration: duration, lanes: order.map { ($0.capitalized, lanes[$0] ?? []) }, marks: marks)
    }

    func transcriptSection(_ transcript: JSONNode?) -> HTML {
        guard let transcript else { return .empty }
        let roles = Dictionary(
            transcript["speakers"].array.map { ($0["id"].text, $0["role"].string ?? $0["id"].text) },
            uniquingKeysWith: { first, _ in first })
        let lines = transcript["utterances"].array.map { utterance -> HTML in
            let start = utterance["start"].double ?? 0
            let end = utterance["end"].double ?? start
            let speaker = roles[utterance["speaker"].text] ?? utterance["speaker"].text
            return """
                <p data-start="\(start, digits: 3)" data-end="\(end, digits: 3)" data-seek="\(start, digits: 3)" \
                tabindex="0" role="button" id="\(utterance["id"].text)"><span class="who">\(speaker.capitalized)</span>\
                <span class="muted">\(Self.duration(start))</span> \(utterance["text"].text)</p>
                """
        }
        return """
            <section class="card"><h2>Transcript</h2><div id="transcript" aria-label="Transcript; choose a line to play from it">\
            \(lines)</div></section>
            """
    }

    func metricSection(_ metrics: JSONNode) -> HTML {
        guard metrics.exists else { return .empty }
        let shown: [(String, [String])] = [
            ("Talk share of speech", ["talkRatioOfSpeech"]), ("Talk time", ["talkTime"]),
            ("Words per minute", ["wordsPerMinute"]), ("Questions", ["questions"]),
            ("Longest monologue", ["longestMonologue", "duration"]), ("Interruptions", ["interruptions", "count"]),
            ("Fillers per minute", ["fillers", "perMinute"]), ("Median reply gap", ["replyGap", "median"]),
            ("Sentiment", ["sentiment", "overall"]),
        ]
        var rows: [HTML] = []
        for (title, path) in shown {
            let cells = ["agent", "customer"].map { party -> HTML in
                let metric = path.reduce(metrics[party]) { $0[$1] }
                let value = metric["value"]
                let unit = metric["unit"].string ?? ""
                let text = value.double.map { Self.figure($0, unit: unit) }
                return "<dd><abbr title=\"\(metric["formula"].text)\">\(text ?? "—")</abbr></dd>"
            }
            rows.append("<dt>\(title)</dt>\(cells)")
        }
        for (title, key) in [("Silence", "nonTalk"), ("Speaker switches per minute", "interactivity")] {
            let metric = key == "nonTalk" ? metrics[key]["total"] : metrics[key]
            rows.append(
                """
                <dt>\(title)</dt><dd><abbr title="\(metric["formula"].text)">\(metric["value"].double.map { Self.figure($0, unit: metric["unit"].text) } ?? "—")</abbr></dd><dd></dd>
                """)
        }
        let talk = ["agent", "customer"].map { party in
            (
                label: party.capitalized, value: (metrics[party]["talkRatioOfSpeech"]["value"].double ?? 0) * 100,
                benchmark: Double?.none
            )
        }
        return """
            <section class="card"><h2>Metrics</h2>\(Charts.bars("Share of the speech", talk, unit: " %"))
            <dl class="metrics"><dt></dt><dd><strong>Agent</strong></dd><dd><strong>Customer</strong></dd>\(rows)</dl>
            <p class="muted">Hover over a figure for its formula.</p></section>
            """
    }

    /// A metric's value with its unit as people write it; counts and scores go bare.
    static func figure(_ value: Double, unit: String) -> String {
        switch unit {
        case "ratio": HTML.number(value * 100, digits: 0) + " %"
        case "s": HTML.number(value, digits: 1) + " s"
        case "count", "": HTML.number(value, digits: 0)
        case let unit where unit.hasPrefix("score"): HTML.number(value, digits: 1)
        default: HTML.number(value, digits: 1) + " " + unit
        }
    }

    func evidenceLinks(_ evidence: [JSONNode]) -> HTML {
        HTML.join(
            evidence.compactMap { item -> HTML? in
                guard let start = item["start"].double else { return nil }
                return """
                    <a href="#t=\(start, digits: 2)" class="evidence" data-seek="\(start, digits: 3)">“\(item["text"].text)” at \(Self.duration(start))</a>
                    """
            }, separator: "<br>")
    }

    func evaluationSection(
        _ evaluation: JSONNode, card: JSONNode?, context: Context, call: Call, relation: Relation, callPath: String
    ) -> HTML {
        let result = evaluation["result"]
        let cardID = evaluation["scorecardId"].text
        let actions = callPath + "/evaluations/" + PercentEncoding.encode(cardID)
        var questions: [String: String] = [:]
        // The answers a reviewer may give: yes, no, n/a, and the points of the card's largest scale.
        var scale = 0
        for section in card?["definition"]["sections"].array ?? [] {
            for criterion in section["criteria"].array {
                questions[criterion["id"].text] = criterion["question"].text
                scale = max(scale, criterion["answer"]["scale"].int ?? 0)
            }
        }
        let values =
            [("yes", "Yes"), ("no", "No"), ("n/a", "Not applicable")]
            + (0..<scale).map { ("\($0 + 1)", "\($0 + 1) of \(scale)") }
        let disputes = result["disputes"].array
        let rows = result["answers"].array.map { answer -> HTML in
            let id = answer["criterionId"].text
            let value = answer["value"].string ?? answer["status"].text
            let tone = value == "yes" ? "pass" : value == "no" ? "fail" : ""
            let reviewed: HTML =
                answer["source"].string == "manual"
                ? "<br><span class=\"muted\">Changed by a reviewer: \(answer["note"].text) (was \(answer["automatic"]["value"].text))</span>"
                : .empty
            let dispute = disputes.first { $0["criterionId"].string == id && $0["status"].string == "open" }
            let disputed: HTML =
                dispute.map { "<br><span class=\"badge medium\">Disputed: \($0["reason"].text)</span>" } ?? .empty
            return """
                <tr><td>\(questions[id] ?? id)\(reviewed)\(disputed)<br>\(evidenceLinks(answer["evidence"].array))</td>\
                <td class="\(tone)">\(value)</td></tr>
                """
        }
        let options = result["answers"].array.map {
            ($0["criterionId"].text, questions[$0["criterionId"].text] ?? $0["criterionId"].text)
        }
        var forms: [HTML] = []
        if context.can(.overrideScores, on: relation) {
            forms.append(
                """
                <details><summary>Override an answer</summary>\(Self.form(actions + "/overrides", label: "Override an answer", extra: " data-action=\"override\"") {
                    Self.select("Question", name: "criterionId", options: options)
                    Self.select("New answer (points only on a scale question)", name: "value", options: values)
                    Self.field("Reason (required)", name: "reason", required: true)
                    Self.button("Override")
                })</details>
                """)
        }
        if context.can(.acknowledgeEvaluations, on: relation) && !result["acknowledgement"].exists {
            forms.append(
                Self.form(
                    actions + "/acknowledgement", classes: "inline", label: "Acknowledge",
                    extra: " data-action=\"acknowledge\""
                ) {
                    HTML("<input type=\"hidden\" name=\"comment\" value=\"\" data-optional>")
                    Self.button("Acknowledge", kind: "secondary")
                })
        }
        if context.can(.disputeEvaluations, on: relation) {
            forms.append(
                """
                <details><summary>Dispute an answer</summary>\(Self.form(actions + "/disputes", label: "Dispute an answer", extra: " data-action=\"dispute\"") {
                    Self.select("Question", name: "criterionId", options: options)
                    Self.field("Why the answer is wrong", name: "reason", required: true)
                    Self.button("Dispute")
                })</details>
                """)
        }
        if context.can(.assignCoaching, on: relation) && call.agentID != nil {
            forms.append(
                """
                <details><summary>Assign coaching</summary>\(Self.form(context.apiBase + "/coaching-assignments", label: "Assign coaching", extra: " data-action=\"coach\"") {
                    HTML("<input type=\"hidden\" name=\"callId\" value=\"\(call.id)\">")
                    HTML(
                        """
                        <label><span>Questions to work on</span><select name="criteria" multiple size="4" data-type="list" required>\
                        \(options.map { "<option value=\"\($0.0)\">\($0.1)</option>" as HTML })</select></label>
                        """)
                    Self.field("Note for the agent", name: "note", extra: " data-optional")
                    Self.button("Assign")
                })</details>
                """)
        }
        if context.can(.resolveDisputes, on: relation) {
            for dispute in disputes where dispute["status"].string == "open" {
                let criterion = dispute["criterionId"].text
                forms.append(
                    """
                    <details><summary>Resolve the dispute on “\(questions[criterion] ?? criterion)”</summary>\
                    \(Self.form(actions + "/disputes/" + PercentEncoding.encode(criterion) + "/resolution", label: "Resolve the dispute") {
                        Self.select(
                            "Decision", name: "decision",
                            options: [("keep", "Keep the answer"), ("accept", "Accept: turn yes and no over"), ("set", "Set the answer below")])
                        Self.select("Answer (with “set” only)", name: "value", options: [("", "—")] + values)
                        Self.field("Note", name: "note", required: true)
                        Self.button("Resolve")
                    })</details>
                    """)
            }
        }
        let acknowledged: HTML =
            result["acknowledgement"].exists
            ? "<p class=\"muted\">Acknowledged \(Self.date(result["acknowledgement"]["at"].string)).</p>" : .empty
        let total: HTML = result["total"].double.map { "\($0, digits: 0)" } ?? "pending"
        return """
            <section class="card evaluation"><h2>\(card?["definition"]["name"].string ?? "Scorecard"): \(total)\
            \(result["autoFailed"].bool == true ? " (auto-fail)" : "")</h2>\(acknowledged)
            <table><thead><tr><th>Question and evidence</th><th>Answer</th></tr></thead><tbody>\(rows)</tbody></table>
            <div class="actions">\(forms)</div></section>
            """
    }

    func findingSection(_ findings: [JSONNode]) -> HTML {
        let items = findings.map { finding -> HTML in
            let severity = finding["severity"].text
            return """
                <li><span class="badge \(severity)">\(severity)</span> \(finding["title"].text)<br>\
                <span class="muted">\(finding["regulation"].text)</span><br>\(evidenceLinks(finding["evidence"].array))</li>
                """
        }
        return """
            <section class="card"><h2>Compliance findings</h2>\
            \(items.isEmpty ? "<p class=\"muted\">None on this call.</p>" as HTML : "<ul class=\"plain\">\(items)</ul>")</section>
            """
    }

    func commentSection(
        _ comments: [JSONNode], names: [String: String], context: Context, relation: Relation, callPath: String
    ) -> HTML {
        let items = comments.map { comment -> HTML in
            let at = comment["at"].double ?? 0
            return """
                <li><a href="#t=\(at, digits: 2)" data-seek="\(at, digits: 3)">\(Self.duration(at))</a> \
                \(comment["text"].text) <span class="muted">— \(names[comment["authorId"].text] ?? "a colleague")</span></li>
                """
        }
        let add: HTML =
            context.can(.comment, on: relation)
            ? Self.form(callPath + "/comments", label: "Add a comment") {
                HTML(
                    """
                    <label><span>At (seconds)</span><input type="number" name="at" id="comment-at" data-type="number" \
                    min="0" step="0.1" value="0" required></label><button type="button" id="comment-now" class="secondary">Use the player's position</button>
                    """)
                Self.field("Comment", name: "text", required: true)
                Self.button("Add")
            }
            : .empty
        return """
            <section class="card"><h2>Comments</h2><ul class="plain">\(items)</ul>\(add)</section>
            """
    }
}

extension Optional {
    /// The value, or the page's 404 when it is missing.
    func orThrow() throws -> Wrapped {
        guard let self else { throw WebPages.Refusal(status: 404) }
        return self
    }
}

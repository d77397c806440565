import CallCoachHTTP

/// The platform operator's console: companies, rate-limit overrides and dead letters.
extension WebPages {
    func registerPlatformPages(in router: inout Router) {
        page("/platform", in: &router) { context in
            try await platformPage(context)
        }
    }

    func platformPage(_ context: Context) async throws -> Page {
        guard context.isOperator else { throw Refusal(status: 403) }
        let companies = try await read("/api/v1/platform/companies", context)["companies"].array
        let limits = try await read("/api/v1/platform/rate-limits", context)["policies"].array
        let letters = try await read("/api/v1/platform/dead-letters", context)
        let companyRows = companies.map { company -> HTML in
            """
            <tr><td>\(company["name"].text)</td><td><code>\(company["id"].text)</code></td>\
            <td>\(company["requiresMFA"].bool == true ? "required" : "optional")</td><td>\(Self.date(company["createdAt"].string))</td></tr>
            """
        }
        let create = Self.form("/api/v1/platform/companies", label: "New company") {
            Self.field("Name", name: "name", required: true)
            Self.field(
                "First administrator's e-mail (gets an invitation)", name: "adminEmail", type: "email", required: true)
            Self.button("Create")
        }
        let limitRows = limits.map { policy -> HTML in
            let name = policy["policy"].text
            let overrides = policy["overrides"].array.map { item -> HTML in
                let company = item["companyID"].text
                let query = company.isEmpty ? "" : "?companyId=" + PercentEncoding.encode(company)
                return """
                    \(item["maxRequests"].text) per \(item["windowSeconds"].text) s \
                    \(company.isEmpty ? "everywhere" : "for \(companies.first { $0["id"].string == company }?["name"].string ?? company)") \
                    \(Self.form("/api/v1/platform/rate-limits/" + PercentEncoding.encode(name) + query, method: "DELETE", classes: "inline", label: "Remove the override", extra: " data-nobody") {
                        Self.button("Remove", kind: "secondary")
                    })<br>
                    """
            }
            return """
                <tr><td><code>\(name)</code></td><td>\(policy["defaultLimit"]["maxRequests"].text) per \
                \(policy["defaultLimit"]["windowSeconds"].text) s</td><td>\(overrides)</td></tr>
                """
        }
        let policyOptions = limits.map { ($0["policy"].text, $0["policy"].text) }
        let companyOptions = [("", "Every company")] + companies.map { ($0["id"].text, $0["name"].text) }
        let override: HTML = """
            <form class="stack" id="override-limit" data-then="reload" data-method="PUT" data-api="/api/v1/platform/rate-limits/" \
            data-policy-path aria-label="Override a limit"><label><span>Policy</span><select data-policy>\
            \(policyOptions.map { "<option value=\"\($0.0)\">\($0.1)</option>" as HTML })</select></label>\
            \(Self.field("Requests", name: "maxRequests", type: "number", required: true, extra: " data-type=\"number\" min=\"1\""))\
            \(Self.field("Window (seconds)", name: "windowSeconds", type: "number", value: "60", required: true, extra: " data-type=\"number\" min=\"1\""))\
            \(Self.select("For", name: "companyId", options: companyOptions))<button type="submit">Save</button>\
            <p class="status" role="status"></p></form>
            """
        return Page(
            title: "Platform",
            body: """
                <h1>Platform console</h1><section class="card"><h2>Companies</h2><table><thead><tr><th>Name</th><th>Id</th>\
                <th>Two-step</th><th>Since</th></tr></thead><tbody>\(companyRows)</tbody></table></section>
                <div class="grid"><section class="card"><h2>New company</h2>\(create)</section>
                <section class="card"><h2>Override a rate limit</h2>\(override)</section></div>
                <section class="card"><h2>Rate limits</h2><table><thead><tr><th>Policy</th><th>Default</th><th>Overrides</th></tr>\
                </thead><tbody>\(limitRows)</tbody></table></section>
                \(Self.deadLetterSection(letters, requeue: "/api/v1/platform/dead-letters/"))
                """, section: "platform")
    }
}

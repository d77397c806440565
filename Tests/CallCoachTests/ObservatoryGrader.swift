import Foundation

/// The MDN HTTP Observatory's scoring (algorithm version 4) for the headers of one response,
/// written out as rules: start at 100, apply every penalty, and count bonuses only when the
/// score before them is at least 90. A+ needs 100 or more. Used because the scanner itself
/// (an npm package) cannot be installed here.
struct ObservatoryGrader {
    let headers: [(name: String, value: String)]
    let https: Bool

    struct Result {
        var score: Int
        var penalties: [String]
        var grade: String {
            switch score {
            case 100...: "A+"
            case 90..<100: "A"
            case 85..<90: "A-"
            case 80..<85: "B+"
            default: "B or worse"
            }
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func grade() -> Result {
        var penalty = 0
        var bonus = 0
        var penalties: [String] = []
        func apply(_ modifier: Int, _ reason: String) {
            if modifier < 0 {
                penalty += modifier
                penalties.append(reason)
            } else {
                bonus += modifier
            }
        }
        apply(contentSecurityPolicy(), "content security policy")
        apply(cookies(), "cookies")
        if header("Access-Control-Allow-Origin") == "*" { apply(-50, "universal CORS access") }
        apply(referrerPolicy(), "referrer policy")
        apply(strictTransportSecurity(), "strict transport security")
        if header("X-Content-Type-Options")?.lowercased() != "nosniff" { apply(-5, "X-Content-Type-Options") }
        apply(frameOptions(), "X-Frame-Options")
        for (name, good) in [
            ("Cross-Origin-Resource-Policy", ["same-origin", "same-site"]),
            ("Cross-Origin-Opener-Policy", ["same-origin", "same-origin-allow-popups"]),
            ("Cross-Origin-Embedder-Policy", ["require-corp", "credentialless"]),
        ] {
            guard let value = header(name)?.lowercased() else { continue }
            apply(good.contains(value) ? 10 : -5, name)
        }
        let base = 100 + penalty
        let score = base >= 90 ? base + bonus : base
        return Result(score: score - score % 5, penalties: penalties)
    }

    /// The directives of the policy, by name.
    var policy: [String: [String]]? {
        guard let text = header("Content-Security-Policy") else { return nil }
        var directives: [String: [String]] = [:]
        for part in text.split(separator: ";") {
            let tokens = part.split(separator: " ").map(String.init)
            guard let name = tokens.first?.lowercased() else { continue }
            if directives[name] == nil { directives[name] = Array(tokens.dropFirst()) }
        }
        return directives
    }

    func contentSecurityPolicy() -> Int {
        guard let policy else { return -25 }
        let scripts = policy["script-src"] ?? policy["default-src"] ?? []
        let styles = policy["style-src"] ?? policy["default-src"] ?? []
        let hasNonceOrHash = { (sources: [String]) in
            sources.contains { $0.hasPrefix("'nonce-") || $0.hasPrefix("'sha256-") || $0.hasPrefix("'sha384-") }
        }
        if scripts.contains("'unsafe-inline'") && !hasNonceOrHash(scripts) { return -20 }
        if scripts.contains(where: { $0 == "http:" || $0 == "*" || $0.hasPrefix("http://") }) { return -20 }
        if scripts.contains("'unsafe-eval'") { return -10 }
        if ["object-src", "base-uri", "frame-ancestors", "form-action"].contains(where: { name in
            policy[name].map { $0.contains("*") || $0.contains("http:") || $0.contains("https:") } ?? false
        }) {
            return -10
        }
        if styles.contains("'unsafe-inline'") && !hasNonceOrHash(styles) { return 0 }
        return policy["default-src"] == ["'none'"] ? 10 : 5
    }

    func cookies() -> Int {
        let cookies = headers.filter { $0.name.lowercased() == "set-cookie" }.map { $0.value.lowercased() }
        guard !cookies.isEmpty else { return 0 }
        if cookies.contains(where: { !$0.contains("; secure") }) { return -40 }
        if cookies.contains(where: { !$0.contains("; httponly") }) { return -30 }
        return cookies.allSatisfy { $0.contains("; samesite=") } ? 5 : 0
    }

    func referrerPolicy() -> Int {
        guard let value = header("Referrer-Policy")?.lowercased() else { return 0 }
        let last = value.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"].contains(last) {
            return 5
        }
        // Unsafe (`unsafe-url`, `no-referrer-when-downgrade`, …) and invalid values cost the same.
        return -5
    }

    func strictTransportSecurity() -> Int {
        guard https else { return 0 }
        guard let value = header("Strict-Transport-Security") else { return -20 }
        let maxAge = value.split(separator: ";").compactMap { part -> Int? in
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=")
            return pair.count == 2 && pair[0].lowercased() == "max-age" ? Int(pair[1]) : nil
        }.first
        guard let maxAge else { return -20 }
        return maxAge >= 15_552_000 ? 0 : -10
    }

    func frameOptions() -> Int {
        if policy?["frame-ancestors"] == ["'none'"] || policy?["frame-ancestors"] == ["'self'"] { return 5 }
        guard let value = header("X-Frame-Options")?.uppercased() else { return -20 }
        return ["DENY", "SAMEORIGIN"].contains(value) ? 5 : -20
    }
}

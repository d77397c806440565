import CallCoachAnalysis
import Foundation

/// A compliance pack: rules that each cite a regulation and raise a finding when they hold.
/// Packs are data (`CompliancePacks.definitions`), versioned, and enabled per company.
public struct CompliancePack: Sendable, Equatable {
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case info, low, medium, high, critical
    }

    public struct PackRule: Sendable, Equatable {
        public let id: String
        public let title: String
        /// The regulation and section the rule enforces, e.g. "15 U.S.C. § 1692e(11)".
        public let regulation: String
        public let severity: Severity
        /// A finding is raised when this holds.
        public let rule: Rule
        /// Business days within which someone must act on the finding (an opt-out, a dispute).
        public let followUpBusinessDays: Int?
    }

    public let id: String
    public let name: String
    public let version: Int
    public let rules: [PackRule]
}

/// A compliance rule that held on a call, with its evidence.
public struct Finding: Codable, Sendable, Equatable {
    public var packID: String
    public var packVersion: Int
    public var ruleID: String
    public var title: String
    public var regulation: String
    public var severity: CompliancePack.Severity
    public var evidence: [Evidence]
    /// When a follow-up is due, for rules that need one.
    public var followUpDue: Date?

    private enum CodingKeys: String, CodingKey {
        case title, regulation, severity, evidence, followUpDue
        case packID = "packId"
        case packVersion = "packVersion"
        case ruleID = "ruleId"
    }
}

public enum CompliancePacks {
    /// Every shipped pack, read from its definition. A definition that does not parse is a
    /// programming error the test suite catches.
    public static let all: [CompliancePack] = definitions.compactMap { try? parse(Array($0.utf8)) }

    public static func pack(_ id: String) -> CompliancePack? { all.first { $0.id == id } }

    /// On for a company that has not chosen: card data and recording disclosure concern every
    /// call. Collections, telemarketing and health packs are switched on by those who need them.
    public static let enabledByDefault: Set<String> = ["pci-dss", "recording-disclosure"]

    /// The findings of one pack on one call. Evidence that is not verbatim in `stored` is left
    /// out, and a finding left with none goes to review rather than being dropped.
    public static func findings(
        _ pack: CompliancePack, with evaluator: RuleEvaluator, verifyingAgainst stored: Transcript? = nil, now: Date
    ) -> [Finding] {
        let context = evaluator.context
        let reference = stored ?? context.transcript
        return pack.rules.compactMap { packRule in
            let outcome = evaluator.evaluate(packRule.rule)
            guard outcome.matched else { return nil }
            let due = packRule.followUpBusinessDays.map { addingBusinessDays($0, to: context.startedAt ?? now) }
            return Finding(
                packID: pack.id, packVersion: pack.version, ruleID: packRule.id, title: packRule.title,
                regulation: packRule.regulation, severity: packRule.severity,
                evidence: outcome.evidence.filter { $0.isVerified(in: reference, duration: context.duration) },
                followUpDue: due)
        }
    }

    /// `days` working days (Monday to Friday, UTC) after `date`.
    public static func addingBusinessDays(_ days: Int, to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var result = date
        var remaining = days
        while remaining > 0 {
            result = calendar.date(byAdding: .day, value: 1, to: result)!
            if !calendar.isDateInWeekend(result) { remaining -= 1 }
        }
        return result
    }

    public static func parse(_ data: [UInt8]) throws(RuleError) -> CompliancePack {
        guard let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any] else {
            throw RuleError(path: "$", message: "a pack is a JSON object")
        }
        try RuleParser.allow(object, ["id", "name", "version", "rules"], at: "$")
        var ids: Set<String> = []
        let id = try ScorecardParser.identifier(object["id"], at: "$.id", ids: &ids)
        let name = try ScorecardParser.text(object["name"], at: "$.name", limit: 200)
        let version = try RuleParser.integer(object["version"], at: "$.version", in: 1...10_000)
        guard let list = object["rules"] as? [Any], !list.isEmpty else {
            throw RuleError(path: "$.rules", message: "a pack needs at least one rule")
        }
        var rules: [CompliancePack.PackRule] = []
        for (index, item) in list.enumerated() {
            let path = "$.rules[\(index)]"
            guard let rule = item as? [String: Any] else { throw RuleError(path: path, message: "a rule is an object") }
            try RuleParser.allow(
                rule, ["id", "title", "regulation", "severity", "when", "followUpBusinessDays"], at: path)
            guard let severity = (rule["severity"] as? String).flatMap(CompliancePack.Severity.init(rawValue:)) else {
                throw RuleError(path: "\(path).severity", message: "info, low, medium, high or critical")
            }
            rules.append(
                CompliancePack.PackRule(
                    id: try ScorecardParser.identifier(rule["id"], at: "\(path).id", ids: &ids),
                    title: try ScorecardParser.text(rule["title"], at: "\(path).title", limit: 200),
                    regulation: try ScorecardParser.text(rule["regulation"], at: "\(path).regulation", limit: 200),
                    severity: severity,
                    rule: try RuleParser.parse(rule["when"] as Any, at: "\(path).when", depth: 0),
                    followUpBusinessDays: try rule["followUpBusinessDays"].map { value throws(RuleError) in
                        try RuleParser.integer(value, at: "\(path).followUpBusinessDays", in: 1...60)
                    }))
        }
        return CompliancePack(id: id, name: name, version: version, rules: rules)
    }
}

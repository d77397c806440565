import Foundation

/// A QA scorecard: sections of criteria, each a question with a weight, how it is answered and
/// how it is evaluated. Stored as JSON (`docs/scorecards.md`) and read by ``ScorecardParser``.
public struct Scorecard: Sendable, Equatable {
    public var name: String
    public var sections: [Section]

    public struct Section: Sendable, Equatable {
        public var id: String
        public var title: String
        public var criteria: [Criterion]
    }

    public struct Criterion: Sendable, Equatable {
        public var id: String
        public var question: String
        /// Share of the card, in points; a card's weights add up to 100.
        public var weight: Int
        public var answer: AnswerType
        public var evaluation: Evaluation
        /// When this holds, the criterion does not apply to the call and leaves the total.
        public var notApplicableWhen: Rule?
        public var autoFail: AutoFail
    }

    public enum AnswerType: Sendable, Equatable {
        case yesNo
        /// 1 to `points`, best last.
        case scale(points: Int)
    }

    public enum Evaluation: Sendable, Equatable {
        /// Yes when the rule holds.
        case rule(Rule)
        /// Yes when the rule, made of metric conditions, holds.
        case metric(Rule)
        /// A person answers it.
        case manual
        /// Put to the company's chat-completions provider; until it answers, it waits like a manual one.
        case llm(prompt: String)
    }

    public enum AutoFail: String, Sendable, Equatable {
        /// A "no" here zeroes nothing but itself.
        case none
        /// A "no" zeroes its section.
        case section
        /// A "no" zeroes the whole card.
        case card
    }

    public var criteria: [Criterion] { sections.flatMap(\.criteria) }
}

/// Reads scorecards from JSON as strictly as rules: exactly the known fields, unique ids,
/// weights that add up to 100, rules that parse. The first problem comes with its position.
public enum ScorecardParser {
    public static let maximumSections = 30
    public static let maximumCriteria = 100

    public static func parse(_ data: [UInt8]) throws(RuleError) -> Scorecard {
        guard let value = try? JSONSerialization.jsonObject(with: Data(data)) else {
            throw RuleError(path: "$", message: "the scorecard is not valid JSON")
        }
        return try parse(value)
    }

    public static func parse(_ value: Any) throws(RuleError) -> Scorecard {
        guard let object = value as? [String: Any] else {
            throw RuleError(path: "$", message: "a scorecard is an object with a name and sections")
        }
        try RuleParser.allow(object, ["name", "sections"], at: "$")
        let name = try text(object["name"], at: "$.name", limit: 200)
        guard let sections = object["sections"] as? [Any], !sections.isEmpty, sections.count <= maximumSections else {
            throw RuleError(path: "$.sections", message: "give 1 to \(maximumSections) sections")
        }
        var ids: Set<String> = []
        var parsed: [Scorecard.Section] = []
        for (index, item) in sections.enumerated() {
            parsed.append(try section(item, at: "$.sections[\(index)]", ids: &ids))
        }
        let card = Scorecard(name: name, sections: parsed)
        guard card.criteria.count <= maximumCriteria else {
            throw RuleError(path: "$.sections", message: "a scorecard has at most \(maximumCriteria) criteria")
        }
        let total = card.criteria.reduce(0) { $0 + $1.weight }
        guard total == 100 else {
            throw RuleError(path: "$.sections", message: "the criteria's weights add up to \(total), not 100")
        }
        return card
    }

    static func section(_ value: Any, at path: String, ids: inout Set<String>) throws(RuleError) -> Scorecard.Section {
        guard let object = value as? [String: Any] else {
            throw RuleError(path: path, message: "a section is an object with an id, a title and criteria")
        }
        try RuleParser.allow(object, ["id", "title", "criteria"], at: path)
        let id = try identifier(object["id"], at: "\(path).id", ids: &ids)
        let title = try text(object["title"], at: "\(path).title", limit: 200)
        guard let criteria = object["criteria"] as? [Any], !criteria.isEmpty else {
            throw RuleError(path: "\(path).criteria", message: "a section needs at least one criterion")
        }
        var parsed: [Scorecard.Criterion] = []
        for (index, item) in criteria.enumerated() {
            parsed.append(try criterion(item, at: "\(path).criteria[\(index)]", ids: &ids))
        }
        return Scorecard.Section(id: id, title: title, criteria: parsed)
    }

    static func criterion(_ value: Any, at path: String, ids: inout Set<String>) throws(RuleError)
        -> Scorecard.Criterion
    {
        guard let object = value as? [String: Any] else {
            throw RuleError(path: path, message: "a criterion is an object with an id, a question, a weight and a kind")
        }
        try RuleParser.allow(
            object, ["id", "question", "weight", "answer", "kind", "rule", "prompt", "notApplicableWhen", "autoFail"],
            at: path)
        let id = try identifier(object["id"], at: "\(path).id", ids: &ids)
        let question = try text(object["question"], at: "\(path).question", limit: 500)
        let weight = try RuleParser.integer(object["weight"], at: "\(path).weight", in: 1...100)
        let answer: Scorecard.AnswerType
        switch object["answer"] {
        case nil, "yesNo" as String: answer = .yesNo
        case let scale as [String: Any]:
            try RuleParser.allow(scale, ["scale"], at: "\(path).answer")
            answer = .scale(points: try RuleParser.integer(scale["scale"], at: "\(path).answer.scale", in: 2...10))
        default:
            throw RuleError(path: "\(path).answer", message: "the answer is \"yesNo\" or {\"scale\": 2 to 10}")
        }
        let kind = object["kind"] as? String
        let evaluation: Scorecard.Evaluation
        switch kind {
        case "rule", "metric":
            guard object["prompt"] == nil else {
                throw RuleError(path: "\(path).prompt", message: "a \(kind!) criterion takes a rule, not a prompt")
            }
            guard let rule = object["rule"] else {
                throw RuleError(path: "\(path).rule", message: "a \(kind!) criterion needs its rule")
            }
            let parsed = try RuleParser.parse(rule, at: "\(path).rule", depth: 0)
            if kind == "metric" && !onlyMetrics(parsed) {
                throw RuleError(path: "\(path).rule", message: "a metric criterion's rule is made of metric conditions")
            }
            evaluation = kind == "rule" ? .rule(parsed) : .metric(parsed)
        case "manual":
            guard object["rule"] == nil, object["prompt"] == nil else {
                throw RuleError(path: path, message: "a manual criterion takes neither a rule nor a prompt")
            }
            evaluation = .manual
        case "llm":
            guard object["rule"] == nil else {
                throw RuleError(path: "\(path).rule", message: "an llm criterion takes a prompt, not a rule")
            }
            evaluation = .llm(prompt: try text(object["prompt"], at: "\(path).prompt", limit: 2000))
        default:
            throw RuleError(path: "\(path).kind", message: "the kind is rule, metric, manual or llm")
        }
        if case .scale = answer, kind == "rule" || kind == "metric" {
            throw RuleError(path: "\(path).answer", message: "a rule answers yes or no; scales are for manual and llm")
        }
        let notApplicable = try object["notApplicableWhen"].map { value throws(RuleError) in
            try RuleParser.parse(value, at: "\(path).notApplicableWhen", depth: 0)
        }
        var autoFail = Scorecard.AutoFail.none
        if let value = object["autoFail"] {
            guard let name = value as? String, let parsed = Scorecard.AutoFail(rawValue: name) else {
                throw RuleError(path: "\(path).autoFail", message: "autoFail is none, section or card")
            }
            guard parsed == .none || answer == .yesNo else {
                throw RuleError(path: "\(path).autoFail", message: "only a yes/no criterion can fail automatically")
            }
            autoFail = parsed
        }
        return Scorecard.Criterion(
            id: id, question: question, weight: weight, answer: answer, evaluation: evaluation,
            notApplicableWhen: notApplicable, autoFail: autoFail)
    }

    static func onlyMetrics(_ rule: Rule) -> Bool {
        switch rule {
        case .metric: true
        case .all(let rules), .any(let rules), .none(let rules): rules.allSatisfy(onlyMetrics)
        case .not(let inner): onlyMetrics(inner)
        default: false
        }
    }

    static func text(_ value: Any?, at path: String, limit: Int) throws(RuleError) -> String {
        guard let text = value as? String, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            text.count <= limit
        else { throw RuleError(path: path, message: "a text of 1 to \(limit) characters") }
        return text
    }

    /// Letters, digits, `-` and `_`, 1 to 64 of them, unique in the card.
    static func identifier(_ value: Any?, at path: String, ids: inout Set<String>) throws(RuleError) -> String {
        guard let id = value as? String, (1...64).contains(id.count),
            id.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }),
            id.allSatisfy(\.isASCII)
        else { throw RuleError(path: path, message: "an id is 1 to 64 letters, digits, - or _") }
        guard ids.insert(id).inserted else { throw RuleError(path: path, message: "the id \"\(id)\" is used twice") }
        return id
    }
}

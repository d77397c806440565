import CallCoachCore
import Foundation

/// Why a rule was refused, and where: `path` points into the rule's JSON, e.g. `$.all[2].within`.
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String

    public var description: String { "\(path): \(message)" }
}

/// Reads rules from their JSON form, strictly: every object has exactly one operator and only
/// the fields that operator takes, every value its type and range. The first problem is
/// reported with its position.
public enum RuleParser {
    public static let maximumDepth = 16
    public static let maximumChildren = 50
    public static let maximumPhrases = 100
    public static let maximumPhraseLength = 200

    static let operators = [
        "phrase", "near", "notNear", "semantic", "metric", "firstBefore", "callTimeOutside", "redacted", "callsWithin",
        "afterConversation", "all", "any", "none", "not",
    ]

    public static func parse(_ data: [UInt8]) throws(RuleError) -> Rule {
        guard let value = try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]) else {
            throw RuleError(path: "$", message: "the rule is not valid JSON")
        }
        return try parse(value, at: "$", depth: 0)
    }

    public static func parse(_ value: Any, at path: String, depth: Int) throws(RuleError) -> Rule {
        guard depth < maximumDepth else {
            throw RuleError(path: path, message: "rules nest at most \(maximumDepth) deep")
        }
        guard let object = value as? [String: Any] else {
            throw RuleError(
                path: path, message: "a rule is an object with one operator: \(operators.joined(separator: ", "))")
        }
        let present = operators.filter { object[$0] != nil }
        guard present.count == 1, let name = present.first else {
            throw RuleError(
                path: path,
                message: present.isEmpty
                    ? "unknown operator; use one of \(operators.joined(separator: ", "))"
                    : "a rule has exactly one operator, found \(present.joined(separator: " and "))")
        }
        let operand = object[name]!
        let here = "\(path).\(name)"
        switch name {
        case "phrase":
            try allow(object, ["phrase", "speaker", "window"], at: path)
            return .phrase(try patterns(operand, at: here), try scope(object, at: path))
        case "near", "notNear":
            try allow(object, [name, "within", "speaker", "window"], at: path)
            guard let sides = operand as? [Any], sides.count == 2 else {
                throw RuleError(path: here, message: "give two phrases or phrase lists: [first, second]")
            }
            return .near(
                first: try patterns(sides[0], at: "\(here)[0]"), second: try patterns(sides[1], at: "\(here)[1]"),
                words: try integer(object["within"], at: "\(path).within", in: 1...100), negated: name == "notNear",
                try scope(object, at: path))
        case "semantic":
            try allow(object, ["semantic", "threshold", "speaker", "window"], at: path)
            guard let list = operand as? [Any], !list.isEmpty, list.count <= maximumPhrases else {
                throw RuleError(path: here, message: "give 1 to \(maximumPhrases) example phrases")
            }
            var examples: [Example] = []
            for (index, item) in list.enumerated() {
                guard let text = item as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty,
                    text.count <= maximumPhraseLength
                else {
                    throw RuleError(path: "\(here)[\(index)]", message: "an example is a phrase of 1 to 200 characters")
                }
                examples.append(Example(text))
            }
            let threshold = try number(object["threshold"] ?? 0.6, at: "\(path).threshold", in: 0...1)
            return .semantic(examples: examples, threshold: threshold, try scope(object, at: path))
        case "metric":
            return .metric(try metric(object, at: path))
        case "firstBefore":
            try allow(object, [name], at: path)
            guard let pair = operand as? [Any], pair.count == 2 else {
                throw RuleError(path: here, message: "give two rules: [earlier, later]")
            }
            return .firstBefore(
                try parse(pair[0], at: "\(here)[0]", depth: depth + 1),
                try parse(pair[1], at: "\(here)[1]", depth: depth + 1))
        case "callTimeOutside":
            try allow(object, [name], at: path)
            guard let pair = operand as? [Any], pair.count == 2, let from = (pair[0] as? String).flatMap(minutes),
                let to = (pair[1] as? String).flatMap(minutes), from < to
            else {
                throw RuleError(
                    path: here, message: "give the allowed hours as [\"HH:MM\", \"HH:MM\"], the first earlier")
            }
            return .callTimeOutside(from: from, to: to)
        case "callsWithin", "afterConversation":
            try allow(object, [name], at: path)
            guard let settings = operand as? [String: Any] else {
                throw RuleError(path: here, message: "give the window in days (and for callsWithin, moreThan)")
            }
            try allow(settings, name == "callsWithin" ? ["days", "moreThan"] : ["days"], at: here)
            let days = try integer(settings["days"], at: "\(here).days", in: 1...90)
            if name == "afterConversation" { return .afterConversation(days: days) }
            return .callsWithin(
                days: days, moreThan: try integer(settings["moreThan"], at: "\(here).moreThan", in: 1...1000))
        case "redacted":
            try allow(object, [name], at: path)
            guard let text = operand as? String,
                let kind = Redaction.Kind.allCases.first(where: { $0.rawValue == text })
            else {
                throw RuleError(
                    path: here,
                    message: "the kind is one of \(Redaction.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .redacted(kind)
        case "all", "any", "none":
            try allow(object, [name], at: path)
            guard let list = operand as? [Any], !list.isEmpty, list.count <= maximumChildren else {
                throw RuleError(path: here, message: "give a list of 1 to \(maximumChildren) rules")
            }
            var rules: [Rule] = []
            for (index, item) in list.enumerated() {
                rules.append(try parse(item, at: "\(here)[\(index)]", depth: depth + 1))
            }
            return name == "all" ? .all(rules) : name == "any" ? .any(rules) : .none(rules)
        default:
            try allow(object, ["not"], at: path)
            return .not(try parse(operand, at: here, depth: depth + 1))
        }
    }

    /// `HH:MM` as minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hours = Int(parts[0]),
            let minutes = Int(parts[1]), (0...24).contains(hours), (0..<60).contains(minutes),
            hours * 60 + minutes <= 1440
        else { return nil }
        return hours * 60 + minutes
    }

    static func allow(_ object: [String: Any], _ fields: Set<String>, at path: String) throws(RuleError) {
        if let extra = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw RuleError(path: "\(path).\(extra)", message: "this operator takes no field \"\(extra)\"")
        }
    }

    static func scope(_ object: [String: Any], at path: String) throws(RuleError) -> Scope {
        var scope = Scope()
        if let value = object["speaker"] {
            guard let text = value as? String, let speaker = Scope.Speaker(rawValue: text) else {
                throw RuleError(path: "\(path).speaker", message: "the speaker is agent, customer or any")
            }
            scope.speaker = speaker
        }
        if let value = object["window"] {
            let here = "\(path).window"
            guard let window = value as? [String: Any], window.count == 1, let (key, amount) = window.first else {
                throw RuleError(
                    path: here, message: "a window is one of firstSeconds, lastSeconds, firstShare or lastShare")
            }
            switch key {
            case "firstSeconds": scope.window = .firstSeconds(try number(amount, at: "\(here).\(key)", in: 1...14_400))
            case "lastSeconds": scope.window = .lastSeconds(try number(amount, at: "\(here).\(key)", in: 1...14_400))
            case "firstShare": scope.window = .firstShare(try number(amount, at: "\(here).\(key)", in: 0.01...1))
            case "lastShare": scope.window = .lastShare(try number(amount, at: "\(here).\(key)", in: 0.01...1))
            default:
                throw RuleError(
                    path: "\(here).\(key)",
                    message: "a window is one of firstSeconds, lastSeconds, firstShare or lastShare")
            }
        }
        return scope
    }

    static func metric(_ object: [String: Any], at path: String) throws(RuleError) -> MetricCondition {
        guard let name = object["metric"] as? String, let measure = MetricCondition.Measure(rawValue: name) else {
            throw RuleError(
                path: "\(path).metric",
                message:
                    "the metric is one of \(MetricCondition.Measure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let comparisons = MetricCondition.Comparison.allCases.filter { object[$0.rawValue] != nil }
        guard comparisons.count == 1, let comparison = comparisons.first else {
            throw RuleError(path: path, message: "a metric condition has exactly one of above or below")
        }
        var fields: Set<String> = ["metric", comparison.rawValue]
        if measure != .nonTalk { fields.insert("speaker") }
        if measure == .sentiment { fields.insert("window") }
        try allow(object, fields, at: path)
        guard measure != .nonTalk || comparison == .above else {
            throw RuleError(
                path: "\(path).below", message: "nonTalk takes above: a silence longer than so many seconds")
        }
        let range: ClosedRange<Double> =
            switch measure {
            case .sentiment: -5...5
            case .talkRatio: 0...1
            default: 0...100_000
            }
        let value = try number(object[comparison.rawValue], at: "\(path).\(comparison.rawValue)", in: range)
        let scope = try scope(object, at: path)
        if measure != .nonTalk && scope.speaker == .any {
            throw RuleError(path: "\(path).speaker", message: "this metric needs the speaker: agent or customer")
        }
        return MetricCondition(measure: measure, comparison: comparison, value: value, scope: scope)
    }

    static func number(_ value: Any?, at path: String, in range: ClosedRange<Double>) throws(RuleError) -> Double {
        guard let value, let boxed = value as? NSNumber, !isJSONBoolean(value),
            !(value is String), case let number = boxed.doubleValue, number.isFinite,
            range.contains(number)
        else {
            throw RuleError(
                path: path, message: "a number from \(format(range.lowerBound)) to \(format(range.upperBound))")
        }
        return number
    }

    static func integer(_ value: Any?, at path: String, in range: ClosedRange<Int>) throws(RuleError) -> Int {
        let number = try? number(value, at: path, in: Double(range.lowerBound)...Double(range.upperBound))
        guard let number, number == number.rounded() else {
            throw RuleError(path: path, message: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(number)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// A phrase or a list of phrases.
    static func patterns(_ value: Any, at path: String) throws(RuleError) -> [Pattern] {
        if let text = value as? String { return [try pattern(text, at: path)] }
        guard let list = value as? [Any], !list.isEmpty, list.count <= maximumPhrases else {
            throw RuleError(path: path, message: "give a phrase or a list of 1 to \(maximumPhrases) phrases")
        }
        var patterns: [Pattern] = []
        for (index, item) in list.enumerated() {
            guard let text = item as? String else {
                throw RuleError(path: "\(path)[\(index)]", message: "a phrase is a string")
            }
            patterns.append(try pattern(text, at: "\(path)[\(index)]"))
        }
        return patterns
    }

    /// A phrase's elements. Literal words are tokenised together, so "four one one one" in a
    /// rule is the number 4111, as it is in a transcript.
    public static func pattern(_ text: String, at path: String = "$") throws(RuleError) -> Pattern {
        guard text.count <= maximumPhraseLength else {
            throw RuleError(path: path, message: "a phrase is at most \(maximumPhraseLength) characters")
        }
        var elements: [PatternElement] = []
        var literal: [String] = []
        func flush() {
            guard !literal.isEmpty else { return }
            elements += TextTokens.tokens(literal.joined(separator: " ")).map { PatternElement.word($0.text) }
            literal = []
        }
        for piece in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            if piece == "*" {
                flush()
                elements.append(.anyWord)
            } else if piece.hasPrefix("{") {
                flush()
                elements.append(.number(try slot(piece, at: path)))
            } else if piece.hasSuffix("*") {
                flush()
                let stem = TextTokens.tokens(String(piece.dropLast()))
                guard stem.count == 1, !stem[0].isNumber else {
                    throw RuleError(path: path, message: "\"\(piece)\": a * after letters makes a prefix of one word")
                }
                elements.append(.prefix(stem[0].text))
            } else {
                literal.append(piece)
            }
        }
        flush()
        guard elements.contains(where: { $0 != .anyWord }) else {
            throw RuleError(path: path, message: "a phrase needs at least one word or {number}")
        }
        return Pattern(source: text, elements: elements)
    }

    static func slot(_ piece: String, at path: String) throws(RuleError) -> ClosedRange<Int>? {
        let problem = RuleError(
            path: path, message: "\"\(piece)\": a number slot is {number}, {number:N} or {number:MIN-MAX}")
        guard piece.hasPrefix("{number"), piece.hasSuffix("}") else { throw problem }
        let inner = piece.dropFirst("{number".count).dropLast()
        if inner.isEmpty { return nil }
        guard inner.first == ":" else { throw problem }
        let bounds = inner.dropFirst().split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
            low >= 1, low <= high, high <= 64
        else { throw problem }
        return low...high
    }
}

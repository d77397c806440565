import CallCoachAnalysis
import Foundation

/// What a rule found: whether it holds, and the places in the call that show it. For `not` and
/// `none`, and for a rule that does not hold, the evidence is what was found anyway, e.g. the
/// forbidden phrase that made `none` fail.
public struct RuleOutcome: Sendable, Equatable {
    public var matched: Bool
    public var evidence: [Evidence]
}

/// One place in a call: an utterance's verbatim words with their times, or, for a metric, a
/// stretch of the call described in words (`utteranceID` is then `nil`).
public struct Evidence: Codable, Sendable, Equatable, Hashable {
    public var utteranceID: String?
    public var start: Double
    public var end: Double
    public var text: String

    public init(utteranceID: String?, start: Double, end: Double, text: String) {
        self.utteranceID = utteranceID
        self.start = start
        self.end = end
        self.text = text
    }

    private enum CodingKeys: String, CodingKey {
        case start, end, text
        case utteranceID = "utteranceId"
    }

    /// Whether this evidence is really in the transcript: the utterance exists, its text holds
    /// these words verbatim, and the times lie inside it. Metric evidence must lie in the call.
    public func isVerified(in transcript: Transcript, duration: Double) -> Bool {
        let slack = 0.01
        guard start <= end, start >= -slack else { return false }
        guard let utteranceID else { return end <= duration + slack }
        guard !text.isEmpty, let utterance = transcript.utterances.first(where: { $0.id == utteranceID }) else {
            return false
        }
        return utterance.text.contains(text) && start >= utterance.start - slack && end <= utterance.end + slack
    }
}

/// How close an utterance's meaning is to example phrases, 0…1: sentence embeddings when the
/// call has them, ``LexicalMatcher`` otherwise.
public protocol SemanticMatcher: Sendable {
    func similarity(of utterance: Utterance, tokens: [TextToken], to examples: [Example]) -> Double
}

/// The fallback when embeddings are off: the largest share of an example's content words that
/// occur in the utterance.
public struct LexicalMatcher: SemanticMatcher {
    public init() {}

    public func similarity(of utterance: Utterance, tokens: [TextToken], to examples: [Example]) -> Double {
        var best = 0.0
        for example in examples where !example.words.isEmpty {
            let found = example.words.filter { word in tokens.contains { $0.text == word } }.count
            best = max(best, Double(found) / Double(example.words.count))
        }
        return best
    }
}

/// An earlier call to the same consumer: when it started, and whether they spoke in it.
public struct PriorCall: Sendable, Equatable {
    public let startedAt: Date
    public let conversation: Bool

    public init(startedAt: Date, conversation: Bool) {
        self.startedAt = startedAt
        self.conversation = conversation
    }
}

/// The call a rule is evaluated against.
public struct CallContext: Sendable {
    public let transcript: Transcript
    public let report: ConversationReport
    public let duration: Double
    /// What the redactor took out of the transcript.
    public let redactions: [Redaction]
    /// When the call started, and the called party's IANA time zone, from the call's metadata.
    public let startedAt: Date?
    public let timeZone: String?
    /// The consumer's earlier calls (same number, before this one), for the cross-call rules.
    public let priorCalls: [PriorCall]
    let roles: [String: SpeakerRole]
    let tokens: [String: [TextToken]]

    public init(
        transcript: Transcript, report: ConversationReport, redactions: [Redaction] = [], startedAt: Date? = nil,
        timeZone: String? = nil, priorCalls: [PriorCall] = []
    ) {
        self.priorCalls = priorCalls
        self.transcript = transcript
        self.report = report
        self.redactions = redactions
        self.startedAt = startedAt
        self.timeZone = timeZone
        duration = max(report.callDuration.value, transcript.utterances.map(\.end).max() ?? 0)
        roles = Dictionary(transcript.speakers.map { ($0.id, $0.role) }, uniquingKeysWith: { first, _ in first })
        tokens = Dictionary(
            transcript.utterances.map { ($0.id, TextTokens.tokens($0.text)) }, uniquingKeysWith: { first, _ in first })
    }

    func utterances(_ speaker: Scope.Speaker) -> [Utterance] {
        transcript.utterances.filter { utterance in
            switch speaker {
            case .any: true
            case .agent: roles[utterance.speaker] == .agent
            case .customer: roles[utterance.speaker] == .customer
            }
        }
    }
}

/// Evaluates rules against one call. Phrases match within one utterance; evidence lies in a
/// rule's window when it starts there.
public struct RuleEvaluator: Sendable {
    public static let maximumEvidence = 20

    public let context: CallContext
    public let semantic: any SemanticMatcher

    public init(context: CallContext, semantic: any SemanticMatcher = LexicalMatcher()) {
        self.context = context
        self.semantic = semantic
    }

    public func evaluate(_ rule: Rule) -> RuleOutcome {
        switch rule {
        case .phrase(let patterns, let scope):
            return found(scope) { utterance, tokens in
                patterns.flatMap { Self.matches($0, in: tokens) }.map { evidence(utterance, tokens, $0) }
            }
        case .near(let first, let second, let words, let negated, let scope):
            return found(scope) { utterance, tokens in
                let lefts = first.flatMap { Self.matches($0, in: tokens) }
                let rights = second.flatMap { Self.matches($0, in: tokens) }
                func gap(_ a: Range<Int>, _ b: Range<Int>) -> Int {
                    max(0, b.lowerBound - a.upperBound, a.lowerBound - b.upperBound)
                }
                if negated {
                    return lefts.filter { left in !rights.contains { gap(left, $0) <= words } }
                        .map { evidence(utterance, tokens, $0) }
                }
                var spans: [Range<Int>] = []
                for left in lefts {
                    for right in rights where gap(left, right) <= words {
                        spans.append(min(left.lowerBound, right.lowerBound)..<max(left.upperBound, right.upperBound))
                    }
                }
                return spans.map { evidence(utterance, tokens, $0) }
            }
        case .semantic(let examples, let threshold, let scope):
            return found(scope) { utterance, tokens in
                guard !tokens.isEmpty,
                    semantic.similarity(of: utterance, tokens: tokens, to: examples) >= threshold
                else { return [] }
                return [evidence(utterance, tokens, 0..<tokens.count)]
            }
        case .metric(let condition):
            return metric(condition)
        case .firstBefore(let earlier, let later):
            let first = evaluate(earlier)
            let second = evaluate(later)
            guard first.matched, second.matched, let a = first.evidence.map(\.start).min(),
                let b = second.evidence.map(\.start).min()
            else { return RuleOutcome(matched: false, evidence: []) }
            return RuleOutcome(matched: a < b, evidence: a < b ? Self.merged([first, second]) : [])
        case .callTimeOutside(let from, let to):
            guard let startedAt = context.startedAt, let name = context.timeZone, let zone = TimeZone(identifier: name)
            else { return RuleOutcome(matched: false, evidence: []) }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.hour, .minute], from: startedAt)
            let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            let outside = minute < from || minute >= to
            let local = String(format: "%02d:%02d", minute / 60, minute % 60)
            return RuleOutcome(
                matched: outside,
                evidence: [Evidence(utteranceID: nil, start: 0, end: 0, text: "the call started at \(local) \(name)")])
        case .callsWithin(let days, let moreThan):
            guard let startedAt = context.startedAt else { return RuleOutcome(matched: false, evidence: []) }
            let since = startedAt.addingTimeInterval(-Double(days) * 86_400)
            let count = context.priorCalls.filter { $0.startedAt >= since && $0.startedAt < startedAt }.count + 1
            return RuleOutcome(
                matched: count > moreThan,
                evidence: [
                    Evidence(
                        utteranceID: nil, start: 0, end: 0,
                        text: "\(count) calls to this consumer in the \(days) days up to this one")
                ])
        case .afterConversation(let days):
            guard let startedAt = context.startedAt else { return RuleOutcome(matched: false, evidence: []) }
            let since = startedAt.addingTimeInterval(-Double(days) * 86_400)
            let last = context.priorCalls.filter {
                $0.conversation && $0.startedAt >= since && $0.startedAt < startedAt
            }
            .map(\.startedAt).max()
            let hours = last.map { Int(startedAt.timeIntervalSince($0) / 3600) } ?? 0
            return RuleOutcome(
                matched: last != nil,
                evidence: last == nil
                    ? []
                    : [
                        Evidence(
                            utteranceID: nil, start: 0, end: 0,
                            text: "a conversation with this consumer \(hours) hours before this call")
                    ])
        case .redacted(let kind):
            let found = context.redactions.filter { $0.kind == kind }.prefix(Self.maximumEvidence)
            return RuleOutcome(
                matched: !found.isEmpty,
                evidence: found.map { redaction in
                    // Within its utterance's bounds, where the marker now stands.
                    let utterance = context.transcript.utterances.first { $0.id == redaction.utteranceID }
                    let low = utterance?.start ?? redaction.start
                    let high = utterance?.end ?? redaction.end
                    let start = min(max(redaction.start, low), high)
                    return Evidence(
                        utteranceID: redaction.utteranceID, start: Self.rounded(start),
                        end: Self.rounded(min(max(redaction.end, start), high)), text: kind.marker)
                })
        case .all(let rules):
            let outcomes = rules.map(evaluate)
            return RuleOutcome(matched: outcomes.allSatisfy(\.matched), evidence: Self.merged(outcomes))
        case .any(let rules):
            let outcomes = rules.map(evaluate)
            let matched = outcomes.filter(\.matched)
            return RuleOutcome(matched: !matched.isEmpty, evidence: Self.merged(matched))
        case .none(let rules):
            let outcomes = rules.map(evaluate)
            return RuleOutcome(
                matched: !outcomes.contains(where: \.matched), evidence: Self.merged(outcomes.filter(\.matched)))
        case .not(let inner):
            let outcome = evaluate(inner)
            return RuleOutcome(matched: !outcome.matched, evidence: outcome.matched ? outcome.evidence : [])
        }
    }

    /// Evidence from each utterance in the scope's speaker, kept when it starts in the window.
    func found(_ scope: Scope, _ search: (Utterance, [TextToken]) -> [Evidence]) -> RuleOutcome {
        let bounds = scope.bounds(duration: context.duration)
        var evidence: [Evidence] = []
        for utterance in context.utterances(scope.speaker) {
            guard let tokens = context.tokens[utterance.id] else { continue }
            for item in search(utterance, tokens) where bounds.contains(item.start) && !evidence.contains(item) {
                evidence.append(item)
                if evidence.count == Self.maximumEvidence { return RuleOutcome(matched: true, evidence: evidence) }
            }
        }
        return RuleOutcome(matched: !evidence.isEmpty, evidence: evidence)
    }

    /// The token spans where a pattern matches, in order.
    static func matches(_ pattern: Pattern, in tokens: [TextToken]) -> [Range<Int>] {
        let count = pattern.elements.count
        guard count <= tokens.count else { return [] }
        var spans: [Range<Int>] = []
        for start in 0...(tokens.count - count) {
            var matched = true
            for (offset, element) in pattern.elements.enumerated() {
                let token = tokens[start + offset]
                switch element {
                case .word(let word): matched = token.text == word
                case .prefix(let stem): matched = !token.isNumber && token.text.hasPrefix(stem)
                case .anyWord: matched = true
                case .number(let digits): matched = token.isNumber && (digits?.contains(token.text.count) ?? true)
                }
                if !matched { break }
            }
            if matched { spans.append(start..<(start + count)) }
        }
        return spans
    }

    /// A token span as verbatim evidence, its times placed in proportion to where its characters
    /// fall in the utterance.
    func evidence(_ utterance: Utterance, _ tokens: [TextToken], _ span: Range<Int>) -> Evidence {
        let text = utterance.text
        let lower = tokens[span.lowerBound].range.lowerBound
        let upper = tokens[span.upperBound - 1].range.upperBound
        let length = Double(max(1, text.count))
        let duration = utterance.end - utterance.start
        let from = Double(text.distance(from: text.startIndex, to: lower)) / length
        let to = Double(text.distance(from: text.startIndex, to: upper)) / length
        return Evidence(
            utteranceID: utterance.id, start: Self.rounded(utterance.start + duration * from),
            end: Self.rounded(utterance.start + duration * to), text: String(text[lower..<upper]))
    }

    func metric(_ condition: MetricCondition) -> RuleOutcome {
        let report = context.report
        func compare(_ value: Double) -> Bool {
            condition.comparison == .above ? value > condition.value : value < condition.value
        }
        func whole(_ description: String) -> [Evidence] {
            [Evidence(utteranceID: nil, start: 0, end: Self.rounded(context.duration), text: description)]
        }
        let role: SpeakerRole = condition.scope.speaker == .customer ? .customer : .agent
        let party = report[role]
        switch condition.measure {
        case .nonTalk:
            let long = report.nonTalk.instances.filter { $0.duration > condition.value }
            return RuleOutcome(
                matched: !long.isEmpty,
                evidence: long.prefix(Self.maximumEvidence).map {
                    Evidence(
                        utteranceID: nil, start: $0.start, end: $0.end,
                        text: "non-talk of \(String(format: "%.1f", $0.duration)) s")
                })
        case .interruptions:
            let count = party.interruptions.count.value
            return RuleOutcome(
                matched: compare(Double(count)),
                evidence: party.interruptions.instances.prefix(Self.maximumEvidence).map {
                    Evidence(utteranceID: nil, start: $0.start, end: $0.end, text: "\(role.rawValue) interrupts")
                })
        case .wordsPerMinute:
            let value = party.wordsPerMinute.value
            return RuleOutcome(
                matched: compare(value),
                evidence: whole("\(role.rawValue) speaks \(String(format: "%.0f", value)) words per minute"))
        case .talkRatio:
            let value = party.talkRatioOfSpeech.value
            return RuleOutcome(
                matched: compare(value),
                evidence: whole("\(role.rawValue) has \(String(format: "%.0f", value * 100)) % of the speech"))
        case .longestMonologue:
            let monologue = party.longestMonologue
            let span = monologue.span.map { [Evidence(utteranceID: nil, start: $0.start, end: $0.end, text: "")] } ?? []
            return RuleOutcome(
                matched: compare(monologue.duration.value),
                evidence: span.map {
                    var item = $0
                    item.text = "\(role.rawValue) monologue of \(String(format: "%.1f", monologue.duration.value)) s"
                    return item
                })
        case .sentiment:
            let bounds = condition.scope.bounds(duration: context.duration)
            let turns = report.turns.filter { $0.role == role && !$0.backchannel && bounds.contains($0.start) }
            guard !turns.isEmpty else { return RuleOutcome(matched: false, evidence: []) }
            let mean = turns.map(\.sentimentScore).reduce(0, +) / Double(turns.count)
            return RuleOutcome(
                matched: compare(mean),
                evidence: [
                    Evidence(
                        utteranceID: nil, start: Self.rounded(bounds.lowerBound), end: Self.rounded(bounds.upperBound),
                        text: "\(role.rawValue) sentiment \(String(format: "%.1f", mean)) over \(turns.count) turns")
                ])
        }
    }

    static func merged(_ outcomes: [RuleOutcome]) -> [Evidence] {
        var evidence: [Evidence] = []
        for item in outcomes.flatMap(\.evidence) where !evidence.contains(item) {
            evidence.append(item)
        }
        return Array(evidence.prefix(maximumEvidence))
    }

    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}

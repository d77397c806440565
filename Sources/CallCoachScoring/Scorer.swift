import CallCoachAnalysis
import Foundation

/// One criterion's answer on one call, with what shows it.
public struct Answer: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Answered and counted.
        case scored
        /// The criterion's N/A condition held: it leaves the total.
        case notApplicable
        /// The evidence could not be found in the transcript: a person must look.
        case needsReview
        /// A manual or LLM criterion nobody has answered yet.
        case pending
    }

    public enum Source: String, Codable, Sendable {
        case automatic, manual
    }

    /// What the automatic evaluation answered, kept visible once a person changed it.
    public struct Automatic: Codable, Sendable, Equatable {
        public var status: Status
        public var value: String?
        public var score: Double?
    }

    public var criterionID: String
    public var status: Status
    /// `yes` or `no`, or for a scale the points given; `nil` while not answered.
    public var value: String?
    /// 0…1: yes is 1, no 0, a scale's points spread between.
    public var score: Double?
    public var evidence: [Evidence]
    public var source: Source
    /// Why it needs review, or the reviewer's reason for a manual answer.
    public var note: String?
    public var automatic: Automatic?
    public var reviewedBy: String?
    public var reviewedAt: Date?

    init(
        criterionID: String, status: Status, value: String?, score: Double?, evidence: [Evidence], source: Source,
        note: String?
    ) {
        self.criterionID = criterionID
        self.status = status
        self.value = value
        self.score = score
        self.evidence = evidence
        self.source = source
        self.note = note
    }

    private enum CodingKeys: String, CodingKey {
        case status, value, score, evidence, source, note, automatic, reviewedBy, reviewedAt
        case criterionID = "criterionId"
    }
}

/// The agent's acknowledgement of an evaluation.
public struct Acknowledgement: Codable, Sendable, Equatable {
    public var by: String
    public var at: Date
    public var comment: String?
}

/// An agent's dispute of one answer, and how it was resolved.
public struct Dispute: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case open
        /// The answer stands.
        case kept
        /// The disputant was right: a yes/no answer is turned over.
        case accepted
        /// The reviewer set another answer.
        case changed
    }

    public var criterionID: String
    public var reason: String
    public var by: String
    public var at: Date
    public var status: Status
    public var resolvedBy: String?
    public var resolvedAt: Date?
    public var resolution: String?

    private enum CodingKeys: String, CodingKey {
        case reason, by, at, status, resolvedBy, resolvedAt, resolution
        case criterionID = "criterionId"
    }
}

/// A call scored against one scorecard.
public struct CallEvaluation: Codable, Sendable, Equatable {
    public struct SectionScore: Codable, Sendable, Equatable {
        public var id: String
        /// 0–100 over the section's scored criteria; `nil` when none is scored.
        public var score: Double?
    }

    /// 0–100 over every scored criterion, by weight; `nil` when none is scored.
    public var total: Double?
    /// An auto-fail criterion answered no and zeroed the card.
    public var autoFailed: Bool
    /// Every applicable criterion is scored: nothing pending or in review.
    public var complete: Bool
    public var sections: [SectionScore]
    public var answers: [Answer]
    public var acknowledgement: Acknowledgement?
    public var disputes: [Dispute]?
    /// Set when the call was scored again with a newer version of the card.
    public var rescored: Rescore?
}

/// Scores calls against scorecards: the automatic answers from rules, the totals from answers.
public enum Scorer {
    /// The automatic evaluation. Rule and metric criteria are answered from their rules; an answer
    /// resting on evidence that is not verbatim in `stored` (the transcript as saved; the one
    /// evaluated when `nil`) goes to review instead.
    public static func evaluate(
        _ card: Scorecard, with evaluator: RuleEvaluator, verifyingAgainst stored: Transcript? = nil
    )
        -> CallEvaluation
    {
        let context = evaluator.context
        let reference = stored ?? context.transcript
        var answers: [Answer] = []
        for criterion in card.criteria {
            if let condition = criterion.notApplicableWhen {
                let outcome = evaluator.evaluate(condition)
                if outcome.matched {
                    answers.append(
                        Answer(
                            criterionID: criterion.id, status: .notApplicable, value: "n/a", score: nil,
                            evidence: outcome.evidence, source: .automatic, note: nil))
                    continue
                }
            }
            switch criterion.evaluation {
            case .rule(let rule), .metric(let rule):
                let outcome = evaluator.evaluate(rule)
                let verified = outcome.evidence.allSatisfy {
                    $0.isVerified(in: reference, duration: context.duration)
                }
                answers.append(
                    verified
                        ? Answer(
                            criterionID: criterion.id, status: .scored, value: outcome.matched ? "yes" : "no",
                            score: outcome.matched ? 1 : 0, evidence: outcome.evidence, source: .automatic, note: nil)
                        : Answer(
                            criterionID: criterion.id, status: .needsReview, value: nil, score: nil,
                            evidence: outcome.evidence, source: .automatic,
                            note: "the evidence could not be found verbatim in the transcript"))
            case .manual, .llm:
                answers.append(
                    Answer(
                        criterionID: criterion.id, status: .pending, value: nil, score: nil, evidence: [],
                        source: .automatic, note: nil))
            }
        }
        return totals(card, answers)
    }

    /// Section scores and the total from a card's answers, with auto-fails applied.
    public static func totals(_ card: Scorecard, _ answers: [Answer]) -> CallEvaluation {
        let byID = Dictionary(answers.map { ($0.criterionID, $0) }, uniquingKeysWith: { _, last in last })
        func failed(_ criterion: Scorecard.Criterion) -> Bool {
            byID[criterion.id].map { $0.status == .scored && $0.score == 0 } ?? false
        }
        let cardFailed = card.criteria.contains { $0.autoFail == .card && failed($0) }
        var sections: [CallEvaluation.SectionScore] = []
        var points = 0.0
        var weights = 0.0
        for section in card.sections {
            var sectionPoints = 0.0
            var sectionWeights = 0.0
            for criterion in section.criteria {
                guard let answer = byID[criterion.id], answer.status == .scored, let score = answer.score else {
                    continue
                }
                sectionPoints += Double(criterion.weight) * score
                sectionWeights += Double(criterion.weight)
            }
            let sectionFailed = cardFailed || section.criteria.contains { $0.autoFail == .section && failed($0) }
            if sectionFailed { sectionPoints = 0 }
            points += sectionPoints
            weights += sectionWeights
            sections.append(
                CallEvaluation.SectionScore(
                    id: section.id, score: sectionWeights > 0 ? rounded(100 * sectionPoints / sectionWeights) : nil))
        }
        let complete = card.criteria.allSatisfy { criterion in
            guard let answer = byID[criterion.id] else { return false }
            return answer.status == .scored || answer.status == .notApplicable
        }
        return CallEvaluation(
            total: weights > 0 ? (cardFailed ? 0 : rounded(100 * points / weights)) : nil, autoFailed: cardFailed,
            complete: complete, sections: sections, answers: card.criteria.compactMap { byID[$0.id] },
            acknowledgement: nil, disputes: nil, rescored: nil)
    }

    static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

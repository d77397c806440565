import Foundation

/// Why a review action was refused, worded for the person who tried it.
public struct ReviewError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// What people do to an automatic evaluation: override an answer with a reason, acknowledge it,
/// dispute an answer within the window, resolve a dispute. Every change keeps what was there.
public enum Review {
    public static let defaultDisputeWindow: TimeInterval = 14 * 86_400

    /// A person's answer to a criterion, with the reason. The automatic answer stays visible.
    public static func override(
        _ evaluation: CallEvaluation, of card: Scorecard, criterion id: String, value: String, reason: String,
        by actor: String, at time: Date
    ) throws(ReviewError) -> CallEvaluation {
        guard let criterion = card.criteria.first(where: { $0.id == id }),
            let index = evaluation.answers.firstIndex(where: { $0.criterionID == id })
        else { throw ReviewError("The scorecard has no criterion \"\(id)\".") }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(reason.count) else {
            throw ReviewError("An override needs a reason of 1 to 500 characters.")
        }
        let (status, score) = try answered(value, for: criterion)
        var result = evaluation
        var answer = result.answers[index]
        if answer.automatic == nil, answer.source == .automatic {
            answer.automatic = Answer.Automatic(status: answer.status, value: answer.value, score: answer.score)
        }
        answer.status = status
        answer.value = value
        answer.score = score
        answer.source = .manual
        answer.note = reason
        answer.reviewedBy = actor
        answer.reviewedAt = time
        result.answers[index] = answer
        return rescored(result, card)
    }

    public static func acknowledge(
        _ evaluation: CallEvaluation, comment: String?, by actor: String, at time: Date
    ) throws(ReviewError) -> CallEvaluation {
        guard evaluation.acknowledgement == nil else { throw ReviewError("This evaluation is already acknowledged.") }
        if let comment, comment.count > 2000 { throw ReviewError("A comment is at most 2,000 characters.") }
        var result = evaluation
        result.acknowledgement = Acknowledgement(by: actor, at: time, comment: comment)
        return result
    }

    public static func dispute(
        _ evaluation: CallEvaluation, of card: Scorecard, criterion id: String, reason: String, by actor: String,
        at time: Date, evaluatedAt: Date, window: TimeInterval = defaultDisputeWindow
    ) throws(ReviewError) -> CallEvaluation {
        guard card.criteria.contains(where: { $0.id == id }) else {
            throw ReviewError("The scorecard has no criterion \"\(id)\".")
        }
        guard time <= evaluatedAt.addingTimeInterval(window) else {
            throw ReviewError("Disputes are open for \(Int(window / 86_400)) days after the evaluation.")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1000).contains(reason.count) else {
            throw ReviewError("A dispute needs a reason of 1 to 1,000 characters.")
        }
        var disputes = evaluation.disputes ?? []
        guard !disputes.contains(where: { $0.criterionID == id && $0.status == .open }) else {
            throw ReviewError("This answer is already disputed.")
        }
        disputes.append(Dispute(criterionID: id, reason: reason, by: actor, at: time, status: .open))
        var result = evaluation
        result.disputes = disputes
        return result
    }

    public enum Decision: String, Sendable {
        case keep, accept, set
    }

    /// Resolves the open dispute of a criterion: keep the answer, accept the dispute (a yes/no
    /// answer is turned over), or set another answer.
    public static func resolve(
        _ evaluation: CallEvaluation, of card: Scorecard, criterion id: String, decision: Decision, value: String?,
        note: String, by actor: String, at time: Date
    ) throws(ReviewError) -> CallEvaluation {
        guard var disputes = evaluation.disputes,
            let index = disputes.firstIndex(where: { $0.criterionID == id && $0.status == .open })
        else { throw ReviewError("This answer has no open dispute.") }
        guard let criterion = card.criteria.first(where: { $0.id == id }),
            let answer = evaluation.answers.first(where: { $0.criterionID == id })
        else { throw ReviewError("The scorecard has no criterion \"\(id)\".") }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1000).contains(note.count) else {
            throw ReviewError("A resolution needs a note of 1 to 1,000 characters.")
        }
        var result = evaluation
        switch decision {
        case .keep:
            guard value == nil else { throw ReviewError("Keeping the answer takes no value.") }
            disputes[index].status = .kept
        case .accept:
            guard value == nil else { throw ReviewError("Accepting a dispute takes no value; use set.") }
            guard criterion.answer == .yesNo, let current = answer.value, current == "yes" || current == "no" else {
                throw ReviewError("Only a yes or no answer can be turned over; use set with the right answer.")
            }
            result = try override(
                result, of: card, criterion: id, value: current == "yes" ? "no" : "yes", reason: note, by: actor,
                at: time)
            disputes[index].status = .accepted
        case .set:
            guard let value else { throw ReviewError("Setting an answer needs its value.") }
            result = try override(result, of: card, criterion: id, value: value, reason: note, by: actor, at: time)
            disputes[index].status = .changed
        }
        disputes[index].resolvedBy = actor
        disputes[index].resolvedAt = time
        disputes[index].resolution = note
        result.disputes = disputes
        return result
    }

    /// The status and score an answer value gives a criterion.
    static func answered(_ value: String, for criterion: Scorecard.Criterion) throws(ReviewError) -> (
        Answer.Status, Double?
    ) {
        if value == "n/a" { return (.notApplicable, nil) }
        switch criterion.answer {
        case .yesNo:
            guard value == "yes" || value == "no" else { throw ReviewError("The answer is yes, no or n/a.") }
            return (.scored, value == "yes" ? 1 : 0)
        case .scale(let points):
            guard let given = Int(value), (1...points).contains(given) else {
                throw ReviewError("The answer is 1 to \(points), or n/a.")
            }
            return (.scored, Double(given - 1) / Double(points - 1))
        }
    }

    /// New totals for changed answers, the review record kept.
    static func rescored(_ evaluation: CallEvaluation, _ card: Scorecard) -> CallEvaluation {
        var result = Scorer.totals(card, evaluation.answers)
        result.acknowledgement = evaluation.acknowledgement
        result.disputes = evaluation.disputes
        result.rescored = evaluation.rescored
        return result
    }
}

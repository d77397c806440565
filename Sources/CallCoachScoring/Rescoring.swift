import CallCoachAnalysis

/// What re-scoring a call with a newer scorecard version changed.
public struct Rescore: Codable, Sendable, Equatable {
    public struct Change: Codable, Sendable, Equatable {
        public var criterionID: String
        /// The answer before and after; `nil` where the criterion did not exist or had no answer.
        public var from: String?
        public var to: String?

        private enum CodingKeys: String, CodingKey {
            case from, to
            case criterionID = "criterionId"
        }
    }

    public var fromVersion: Int
    public var previousTotal: Double?
    public var changes: [Change]
}

public enum Rescoring {
    /// The new automatic evaluation with what people decided on the old one carried over: a manual
    /// answer stays where its criterion still exists with the same kind of answer. An
    /// acknowledgement and disputes belong to the old version and are not carried.
    public static func carryOver(
        _ previous: CallEvaluation, into fresh: CallEvaluation, card: Scorecard, previousCard: Scorecard?
    ) -> CallEvaluation {
        var answers = fresh.answers
        for (index, answer) in answers.enumerated() {
            guard let old = previous.answers.first(where: { $0.criterionID == answer.criterionID }),
                old.source == .manual,
                let criterion = card.criteria.first(where: { $0.id == answer.criterionID }),
                previousCard?.criteria.first(where: { $0.id == answer.criterionID })?.answer == criterion.answer
            else { continue }
            var kept = old
            kept.automatic = Answer.Automatic(status: answer.status, value: answer.value, score: answer.score)
            kept.evidence = answer.evidence
            answers[index] = kept
        }
        return Scorer.totals(card, answers)
    }

    /// The answers that differ between two evaluations, in the new card's order, then the
    /// criteria that were dropped.
    public static func diff(from previous: CallEvaluation, version: Int, to current: CallEvaluation) -> Rescore {
        let old = Dictionary(
            previous.answers.map { ($0.criterionID, $0.value) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(
            current.answers.map { ($0.criterionID, $0.value) }, uniquingKeysWith: { first, _ in first })
        var changes: [Rescore.Change] = []
        for answer in current.answers where old[answer.criterionID] == nil || old[answer.criterionID]! != answer.value {
            changes.append(
                Rescore.Change(criterionID: answer.criterionID, from: old[answer.criterionID] ?? nil, to: answer.value))
        }
        for answer in previous.answers where new[answer.criterionID] == nil {
            changes.append(Rescore.Change(criterionID: answer.criterionID, from: answer.value, to: nil))
        }
        return Rescore(fromVersion: version, previousTotal: previous.total, changes: changes)
    }
}

extension Redactor {
    /// The redactions a stored (already redacted) transcript shows by its markers, for rules that
    /// ask whether card data was said when a call is scored again.
    public static func markers(in transcript: Transcript) -> [Redaction] {
        var found: [Redaction] = []
        for utterance in transcript.utterances {
            for kind in Redaction.Kind.allCases {
                var search = utterance.text.startIndex..<utterance.text.endIndex
                while let range = utterance.text.range(of: kind.marker, range: search) {
                    let (start, end) = time(of: range, in: utterance)
                    found.append(
                        Redaction(
                            kind: kind, utteranceID: utterance.id, speaker: utterance.speaker, start: start, end: end))
                    search = range.upperBound..<utterance.text.endIndex
                }
            }
        }
        return found
    }
}

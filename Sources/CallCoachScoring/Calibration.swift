/// A calibration session's result: the consensus answer of each criterion and how closely each
/// grader (and the automatic evaluation) matched it.
public struct CalibrationResult: Codable, Sendable, Equatable {
    public struct Consensus: Codable, Sendable, Equatable {
        public var criterionID: String
        /// The answer most graders gave; `nil` on a tie.
        public var value: String?

        private enum CodingKeys: String, CodingKey {
            case value
            case criterionID = "criterionId"
        }
    }

    public struct Alignment: Codable, Sendable, Equatable {
        public var grader: String
        /// Share of the criteria with a consensus where this grader gave it, 0…1.
        public var alignment: Double?
    }

    public var consensus: [Consensus]
    public var graders: [Alignment]
    /// The automatic evaluation's alignment, when the call has one.
    public var automatic: Double?
}

public enum Calibration {
    /// Checks a grader's answers against the card: every criterion once, each value valid.
    public static func validate(_ answers: [String: String], for card: Scorecard) throws(ReviewError) {
        for (id, value) in answers {
            guard let criterion = card.criteria.first(where: { $0.id == id }) else {
                throw ReviewError("The scorecard has no criterion \"\(id)\".")
            }
            _ = try Review.answered(value, for: criterion)
        }
        guard Set(answers.keys) == Set(card.criteria.map(\.id)) else {
            throw ReviewError("Answer every criterion of the scorecard.")
        }
    }

    /// Consensus and alignment from every grader's answers (grader → criterion → value).
    public static func result(
        _ scores: [String: [String: String]], card: Scorecard, automatic: CallEvaluation?
    ) -> CalibrationResult {
        var consensus: [CalibrationResult.Consensus] = []
        for criterion in card.criteria {
            var counts: [String: Int] = [:]
            for answers in scores.values { if let value = answers[criterion.id] { counts[value, default: 0] += 1 } }
            let best = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == best }.map(\.key)
            consensus.append(.init(criterionID: criterion.id, value: leaders.count == 1 ? leaders[0] : nil))
        }
        let agreed = consensus.filter { $0.value != nil }
        func alignment(_ answer: (String) -> String?) -> Double? {
            guard !agreed.isEmpty else { return nil }
            let matches = agreed.filter { answer($0.criterionID) == $0.value }.count
            return (Double(matches) / Double(agreed.count) * 1000).rounded() / 1000
        }
        let graders = scores.keys.sorted().map { grader in
            CalibrationResult.Alignment(grader: grader, alignment: alignment { scores[grader]?[$0] })
        }
        let machine =
            automatic.map { evaluation in
                alignment { id in
                    evaluation.answers.first { $0.criterionID == id }?.automatic?.value
                        ?? evaluation.answers.first { $0.criterionID == id }?.value
                }
            } ?? nil
        return CalibrationResult(consensus: consensus, graders: graders, automatic: machine)
    }
}

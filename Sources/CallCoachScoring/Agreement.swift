/// How often automatic answers match the answers people settled on, per criterion.
public struct CriterionAgreement: Codable, Sendable, Equatable {
    public var criterionID: String
    /// Answers a person reviewed: overridden (to another answer or the same one) or kept on dispute.
    public var reviewed: Int
    public var agreed: Int
    /// `agreed / reviewed`.
    public var rate: Double?
    /// Cohen's kappa between the automatic and the human answers; `nil` when it is undefined
    /// (nothing reviewed, or both sides used one answer only).
    public var kappa: Double?

    private enum CodingKeys: String, CodingKey {
        case reviewed, agreed, rate, kappa
        case criterionID = "criterionId"
    }
}

public enum Agreement {
    /// Pairs of (automatic, human) answer values per criterion, from the evaluations' review record.
    static func pairs(_ evaluations: [CallEvaluation]) -> [String: [(String, String)]] {
        var pairs: [String: [(String, String)]] = [:]
        for evaluation in evaluations {
            let kept = Set((evaluation.disputes ?? []).filter { $0.status == .kept }.map(\.criterionID))
            for answer in evaluation.answers {
                if let automatic = answer.automatic, let machine = automatic.value, let human = answer.value {
                    pairs[answer.criterionID, default: []].append((machine, human))
                } else if answer.source == .automatic, kept.contains(answer.criterionID), let value = answer.value {
                    pairs[answer.criterionID, default: []].append((value, value))
                }
            }
        }
        return pairs
    }

    /// Agreement for each criterion of `criteria`, in that order.
    public static func compute(_ evaluations: [CallEvaluation], criteria: [String]) -> [CriterionAgreement] {
        let all = pairs(evaluations)
        return criteria.map { id in
            let pairs = all[id] ?? []
            let agreed = pairs.filter { $0.0 == $0.1 }.count
            return CriterionAgreement(
                criterionID: id, reviewed: pairs.count, agreed: agreed,
                rate: pairs.isEmpty ? nil : rounded(Double(agreed) / Double(pairs.count)), kappa: kappa(pairs))
        }
    }

    /// Cohen's kappa: (p_o − p_e) / (1 − p_e), with p_e from each side's answer frequencies.
    public static func kappa(_ pairs: [(String, String)]) -> Double? {
        guard !pairs.isEmpty else { return nil }
        let count = Double(pairs.count)
        let observed = Double(pairs.filter { $0.0 == $0.1 }.count) / count
        let labels = Set(pairs.flatMap { [$0.0, $0.1] })
        var expected = 0.0
        for label in labels {
            let first = Double(pairs.filter { $0.0 == label }.count) / count
            let second = Double(pairs.filter { $0.1 == label }.count) / count
            expected += first * second
        }
        guard expected < 1 else { return nil }
        return rounded((observed - expected) / (1 - expected))
    }

    static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}

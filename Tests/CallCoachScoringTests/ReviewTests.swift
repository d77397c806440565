import CallCoachAnalysis
import CallCoachScoring
import Foundation
import Testing

@Suite struct ReviewTests {
    let card: Scorecard
    let evaluation: CallEvaluation
    let time = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        card = try ScorecardParser.parse(
            Array(
                #"""
                {"name":"T","sections":[{"id":"s","title":"S","criteria":[
                  {"id":"hello","question":"Hello?","weight":50,"kind":"rule","rule":{"phrase":"hello"}},
                  {"id":"refund","question":"Refund?","weight":30,"kind":"rule","rule":{"phrase":"refund"}},
                  {"id":"tone","question":"Tone?","weight":20,"answer":{"scale":5},"kind":"manual"}]}]}
                """#.utf8))
        evaluation = Scorer.evaluate(card, with: RuleEvaluator(context: try context()))
    }

    @Test func anOverrideNeedsAReasonAndKeepsTheAutomaticAnswer() throws {
        #expect(evaluation.total == 62.5, "hello yes (50), refund no (30)")
        #expect(throws: ReviewError.self) {
            try Review.override(
                evaluation, of: card, criterion: "refund", value: "yes", reason: "  ", by: "m", at: time)
        }
        #expect(throws: ReviewError.self) {
            try Review.override(
                evaluation, of: card, criterion: "refund", value: "maybe", reason: "x", by: "m", at: time)
        }
        #expect(throws: ReviewError.self) {
            try Review.override(evaluation, of: card, criterion: "tone", value: "6", reason: "x", by: "m", at: time)
        }
        #expect(throws: ReviewError.self) {
            try Review.override(evaluation, of: card, criterion: "ghost", value: "yes", reason: "x", by: "m", at: time)
        }
        var changed = try Review.override(
            evaluation, of: card, criterion: "refund", value: "yes", reason: "offered a credit", by: "m", at: time)
        let refund = try #require(changed.answers.first { $0.criterionID == "refund" })
        #expect(refund.value == "yes" && refund.source == .manual && refund.note == "offered a credit")
        #expect(refund.automatic?.status == .scored && refund.automatic?.value == "no" && refund.automatic?.score == 0)
        #expect(refund.reviewedBy == "m" && refund.reviewedAt == time)
        #expect(changed.total == 100)
        changed = try Review.override(
            changed, of: card, criterion: "tone", value: "4", reason: "calm", by: "m", at: time)
        #expect(changed.total == 95 && changed.complete, "(50 + 30 + 20 × 0.75) / 100")
        changed = try Review.override(
            changed, of: card, criterion: "refund", value: "n/a", reason: "no refund asked", by: "m", at: time)
        #expect(
            changed.answers.first { $0.criterionID == "refund" }?.automatic?.value == "no",
            "the first automatic answer stays")
        #expect(changed.total == 92.9, "(50 + 15) / 70")
    }

    @Test func disputesWithinTheWindowResolvedItemByItem() throws {
        let evaluatedAt = time
        #expect(throws: ReviewError("Disputes are open for 14 days after the evaluation.")) {
            try Review.dispute(
                evaluation, of: card, criterion: "refund", reason: "I offered one", by: "agent",
                at: evaluatedAt.addingTimeInterval(15 * 86_400), evaluatedAt: evaluatedAt)
        }
        var disputed = try Review.dispute(
            evaluation, of: card, criterion: "refund", reason: "I offered one", by: "agent", at: time,
            evaluatedAt: evaluatedAt)
        disputed = try Review.dispute(
            disputed, of: card, criterion: "hello", reason: "wrong", by: "agent", at: time, evaluatedAt: evaluatedAt)
        #expect(throws: ReviewError("This answer is already disputed.")) {
            try Review.dispute(
                disputed, of: card, criterion: "refund", reason: "again", by: "agent", at: time,
                evaluatedAt: evaluatedAt)
        }
        let accepted = try Review.resolve(
            disputed, of: card, criterion: "refund", decision: .accept, value: nil, note: "right, at 12 s", by: "m",
            at: time)
        #expect(accepted.answers.first { $0.criterionID == "refund" }?.value == "yes")
        #expect(accepted.disputes?.first { $0.criterionID == "refund" }?.status == .accepted)
        let kept = try Review.resolve(
            accepted, of: card, criterion: "hello", decision: .keep, value: nil, note: "it was said", by: "m", at: time)
        #expect(kept.disputes?.map(\.status) == [.accepted, .kept] && kept.total == 100)
        #expect(throws: ReviewError("This answer has no open dispute.")) {
            try Review.resolve(
                kept, of: card, criterion: "hello", decision: .keep, value: nil, note: "x", by: "m", at: time)
        }
        let onTone = try Review.dispute(
            evaluation, of: card, criterion: "tone", reason: "pending", by: "agent", at: time, evaluatedAt: evaluatedAt)
        #expect(throws: ReviewError.self) {
            try Review.resolve(
                onTone, of: card, criterion: "tone", decision: .accept, value: nil, note: "x", by: "m", at: time)
        }
        let set = try Review.resolve(
            onTone, of: card, criterion: "tone", decision: .set, value: "5", note: "fine", by: "m", at: time)
        #expect(set.disputes?.first?.status == .changed && set.answers.last?.value == "5")
    }

    @Test func anAcknowledgementIsGivenOnce() throws {
        let acknowledged = try Review.acknowledge(evaluation, comment: "thanks", by: "agent", at: time)
        #expect(acknowledged.acknowledgement?.by == "agent" && acknowledged.acknowledgement?.comment == "thanks")
        #expect(acknowledged.acknowledgement?.at == time)
        #expect(throws: ReviewError.self) { try Review.acknowledge(acknowledged, comment: nil, by: "agent", at: time) }
    }
}

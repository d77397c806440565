import CallCoachAnalysis
import CallCoachScoring
import Testing

@Suite struct ScorecardTests {
    static func card(_ criteria: String) -> String {
        #"{"name":"Test","sections":[{"id":"s","title":"S","criteria":[\#(criteria)]}]}"#
    }

    @Test func everyTemplateParsesAndAddsUpTo100() throws {
        #expect(ScorecardTemplates.all.count == 5)
        for template in ScorecardTemplates.all {
            let card = try ScorecardParser.parse(Array(template.json.utf8))
            #expect(card.criteria.reduce(0) { $0 + $1.weight } == 100, "\(template.id)")
        }
    }

    @Test func theCollectionsCardScoresTheCollectionsCallWithEvidence() throws {
        let card = try ScorecardParser.parse(Array(ScorecardTemplates.template("collections-fdcpa")!.json.utf8))
        let evaluation = Scorer.evaluate(card, with: RuleEvaluator(context: try context()))
        let answers = Dictionary(uniqueKeysWithValues: evaluation.answers.map { ($0.criterionID, $0) })
        #expect(answers["identification"]?.value == "yes")
        #expect(answers["identification"]?.evidence.first?.text == "this is Dana from")
        #expect(answers["right-party"]?.value == "yes")
        #expect(answers["mini-miranda"]?.value == "yes")
        #expect(answers["mini-miranda"]?.evidence.map(\.utteranceID) == ["u3", "u3"])
        #expect(answers["no-threats"]?.value == "yes")
        #expect(answers["dispute-handled"]?.status == .notApplicable, "the consumer disputed nothing")
        #expect(answers["tone"]?.status == .pending)
        #expect(!evaluation.complete)
        // 15 + 15 + 25 + 20 scored yes, out of the 75 points scored.
        #expect(evaluation.total == 100)
        #expect(evaluation.sections.map(\.score) == [100, 100])
    }

    @Test func autoFailsZeroTheirSectionOrTheCard() throws {
        let text = Self.card(
            #"""
            {"id":"a","question":"Hello?","weight":50,"kind":"rule","rule":{"phrase":"hello"}},
            {"id":"b","question":"Refund?","weight":50,"kind":"rule","autoFail":"card","rule":{"phrase":"refund"}}
            """#)
        let evaluation = Scorer.evaluate(
            try ScorecardParser.parse(Array(text.utf8)), with: RuleEvaluator(context: try context()))
        #expect(evaluation.autoFailed && evaluation.total == 0 && evaluation.complete)
        let section = Self.card(
            #"""
            {"id":"a","question":"Hello?","weight":50,"kind":"rule","rule":{"phrase":"hello"}},
            {"id":"b","question":"Refund?","weight":50,"kind":"rule","autoFail":"section","rule":{"phrase":"refund"}}
            """#)
        let zeroed = Scorer.evaluate(
            try ScorecardParser.parse(Array(section.utf8)), with: RuleEvaluator(context: try context()))
        #expect(!zeroed.autoFailed && zeroed.sections.first?.score == 0)
        let plain = Self.card(
            #"""
            {"id":"a","question":"Hello?","weight":30,"kind":"rule","rule":{"phrase":"hello"}},
            {"id":"b","question":"Refund?","weight":70,"kind":"rule","rule":{"phrase":"refund"}}
            """#)
        #expect(
            Scorer.evaluate(try ScorecardParser.parse(Array(plain.utf8)), with: RuleEvaluator(context: try context()))
                .total == 30)
    }

    @Test func evidenceThatIsNotInTheStoredTranscriptSendsTheAnswerToReview() throws {
        let card = try ScorecardParser.parse(
            Array(
                Self.card(
                    #"""
                    {"id":"a","question":"Hello?","weight":50,"kind":"rule","rule":{"phrase":"hello"}},
                    {"id":"b","question":"Debt?","weight":50,"kind":"rule","rule":{"phrase":"collect a debt"}}
                    """#
                ).utf8))
        let call = try context()
        #expect(Scorer.evaluate(card, with: RuleEvaluator(context: call)).answers.allSatisfy { $0.status == .scored })
        // The stored transcript no longer holds the first utterance's words.
        var stored = call.transcript
        stored.utterances[0].text = "Good morning, Acme Recovery."
        let evaluation = Scorer.evaluate(card, with: RuleEvaluator(context: call), verifyingAgainst: stored)
        #expect(evaluation.answers[0].status == .needsReview && evaluation.answers[0].score == nil)
        #expect(evaluation.answers[0].evidence.first?.text == "Hello", "the claimed evidence stays visible")
        #expect(evaluation.answers[1].status == .scored)
        #expect(evaluation.total == 100 && !evaluation.complete, "scored only on what could be verified")
    }

    @Test func badScorecardsAreRefusedWithTheirPosition() {
        let cases: [(String, String)] = [
            (#"{"name":"x","sections":[]}"#, "$.sections"),
            (Self.card(#"{"id":"a","question":"q","weight":60,"kind":"manual"}"#), "$.sections"),
            (
                Self.card(
                    #"{"id":"a","question":"q","weight":50,"kind":"manual"},{"id":"a","question":"q","weight":50,"kind":"manual"}"#
                ), "$.sections[0].criteria[1].id"
            ),
            (Self.card(#"{"id":"a","question":"q","weight":100,"kind":"rule"}"#), "$.sections[0].criteria[0].rule"),
            (
                Self.card(#"{"id":"a","question":"q","weight":100,"kind":"rule","rule":{"phrase":"x","within":3}}"#),
                "$.sections[0].criteria[0].rule.within"
            ),
            (
                Self.card(#"{"id":"a","question":"q","weight":100,"kind":"metric","rule":{"phrase":"x"}}"#),
                "$.sections[0].criteria[0].rule"
            ),
            (Self.card(#"{"id":"a","question":"q","weight":100,"kind":"oracle"}"#), "$.sections[0].criteria[0].kind"),
            (
                Self.card(
                    #"{"id":"a","question":"q","weight":100,"kind":"manual","answer":{"scale":5},"autoFail":"card"}"#),
                "$.sections[0].criteria[0].autoFail"
            ),
            (
                Self.card(
                    #"{"id":"a","question":"q","weight":100,"kind":"rule","rule":{"phrase":"x"},"answer":{"scale":3}}"#),
                "$.sections[0].criteria[0].answer"
            ),
            (Self.card(#"{"id":"a b","question":"q","weight":100,"kind":"manual"}"#), "$.sections[0].criteria[0].id"),
            (Self.card(#"{"id":"a","question":"q","weight":0,"kind":"manual"}"#), "$.sections[0].criteria[0].weight"),
            (Self.card(#"{"id":"a","question":"q","weight":100,"kind":"llm"}"#), "$.sections[0].criteria[0].prompt"),
            (
                Self.card(#"{"id":"a","question":"q","weight":100,"kind":"manual","notApplicableWhen":{"phrase":[]}}"#),
                "$.sections[0].criteria[0].notApplicableWhen.phrase"
            ),
            (#"{"name":"x","sections":[],"plan":"enterprise"}"#, "$.plan"),
        ]
        for (json, path) in cases {
            do {
                _ = try ScorecardParser.parse(Array(json.utf8))
                Issue.record("accepted: \(json)")
            } catch {
                #expect(error.path == path, "\(json): \(error)")
            }
        }
    }
}

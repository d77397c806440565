import CallCoachAnalysis
import CallCoachScoring
import Foundation

// `Benchmarks scoring`: a 30-minute two-party transcript redacted, scored against a 30-criterion
// scorecard and checked against every compliance pack.

/// Thirty criteria of every rule kind: phrases with wildcards, prefixes and number slots,
/// proximity, windows, combinations, lexical semantic matches and metric conditions.
func benchmarkScorecard() throws -> Scorecard {
    let rules = [
        #"{"phrase":["thank you for calling","thanks for calling"],"speaker":"agent","window":{"firstSeconds":30}}"#,
        #"{"phrase":"call may be recorded","window":{"firstSeconds":30}}"#,
        #"{"phrase":"my name is *","speaker":"agent"}"#,
        #"{"phrase":"cancel*","speaker":"customer"}"#,
        #"{"phrase":"account number {number:6-12}"}"#,
        #"{"near":["payment",["today","order"]],"within":4}"#,
        #"{"notNear":["guarantee",["not","can't"]],"within":3}"#,
        #"{"none":[{"phrase":["arrest","lawsuit","jail"]}]}"#,
        #"{"all":[{"phrase":"problem"},{"phrase":"check","speaker":"agent"}]}"#,
        #"{"any":[{"phrase":"happy"},{"phrase":"great"}]}"#,
        #"{"semantic":["I want to cancel my service","close my account"],"threshold":0.6,"speaker":"customer"}"#,
        #"{"semantic":["is there anything else I can help with"],"threshold":0.5,"window":{"lastShare":0.2}}"#,
        #"{"metric":"nonTalk","above":10}"#,
        #"{"metric":"interruptions","speaker":"agent","below":5}"#,
        #"{"metric":"wordsPerMinute","speaker":"agent","above":120}"#,
        #"{"metric":"talkRatio","speaker":"agent","below":0.7}"#,
        #"{"metric":"longestMonologue","speaker":"agent","above":60}"#,
        #"{"metric":"sentiment","speaker":"customer","window":{"lastSeconds":300},"above":0}"#,
        #"{"phrase":"* really not happy","speaker":"customer"}"#,
        #"{"phrase":["bill","payment","order"],"window":{"firstShare":0.5}}"#,
        #"{"near":["thanks","service"],"within":8,"speaker":"customer"}"#,
        #"{"not":{"phrase":"that is not my problem"}}"#,
        #"{"phrase":"we can check that for you","speaker":"agent"}"#,
        #"{"phrase":"you know","speaker":"customer"}"#,
        #"{"all":[{"phrase":"account"},{"not":{"phrase":"refund"}}]}"#,
        #"{"phrase":"today","window":{"lastSeconds":120}}"#,
        #"{"near":["cancel","account"],"within":6}"#,
        #"{"phrase":["um","uh"],"speaker":"agent"}"#,
        #"{"any":[{"metric":"nonTalk","above":4},{"phrase":"hold on"}]}"#,
        #"{"phrase":"{number}"}"#,
    ]
    let criteria = rules.enumerated().map { index, rule in
        #"{"id":"c\#(index)","question":"Criterion \#(index)?","weight":\#(index < 10 ? 4 : 3),"kind":"rule","rule":\#(rule)}"#
    }
    let json =
        #"{"name":"Benchmark","sections":[{"id":"all","title":"All","criteria":[\#(criteria.joined(separator: ","))]}]}"#
    return try ScorecardParser.parse(Array(json.utf8))
}

func scoringBenchmark() throws {
    let transcript = syntheticTranscript()
    let report = ConversationAnalyzer.analyze(transcript, callDuration: 1800)
    let card = try benchmarkScorecard()
    var samples: [Double] = []
    var scored = 0
    var findings = 0
    for run in 0..<60 {
        let started = ContinuousClock.now
        // Building the context tokenises every utterance: part of what scoring a call costs.
        let (redacted, redactions) = Redactor.redact(transcript)
        let evaluator = RuleEvaluator(
            context: CallContext(
                transcript: redacted, report: report, redactions: redactions, startedAt: Date(timeIntervalSince1970: 0),
                timeZone: "America/New_York"))
        let evaluation = Scorer.evaluate(card, with: evaluator)
        findings = CompliancePacks.all.reduce(0) {
            $0 + CompliancePacks.findings($1, with: evaluator, now: Date()).count
        }
        let elapsed = started.duration(to: .now)
        if run >= 10 {
            samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        scored = evaluation.answers.filter { $0.status == .scored }.count
    }
    samples.sort()
    let rules = CompliancePacks.all.reduce(0) { $0 + $1.rules.count }
    print(
        "redaction, a scorecard of \(card.criteria.count) criteria and all \(CompliancePacks.all.count) compliance "
            + "packs (\(rules) rules) on a 30-minute call (\(transcript.utterances.count) utterances)")
    print(
        String(
            format:
                "median over 50 runs: %.2f ms, slowest %.2f ms (target under 20 ms); %d answers scored, %d findings",
            samples[samples.count / 2], samples.last!, scored, findings))
}

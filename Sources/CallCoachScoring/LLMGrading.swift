import CallCoachAnalysis
import Foundation

/// LLM criteria: the question put to a chat-completions model with the transcript, and its
/// answer checked like any other: a valid value, and quotes found verbatim in the transcript.
public enum LLMGrading {
    /// The system and user messages for one criterion.
    public static func messages(for criterion: Scorecard.Criterion, prompt: String, transcript: Transcript)
        -> [(role: String, content: String)]
    {
        let allowed: String
        switch criterion.answer {
        case .yesNo: allowed = "\"yes\", \"no\" or \"n/a\""
        case .scale(let points): allowed = "a whole number from 1 to \(points) as a string, or \"n/a\""
        }
        let roles = Dictionary(transcript.speakers.map { ($0.id, $0.role.rawValue) }, uniquingKeysWith: { a, _ in a })
        let lines = transcript.utterances.map { utterance in
            "[\(roles[utterance.speaker] ?? utterance.speaker)] \(utterance.text)"
        }
        return [
            (
                "system",
                "You grade recorded customer calls against a quality scorecard. Reply with one JSON object and "
                    + "nothing else: {\"answer\": ANSWER, \"quotes\": [QUOTES]} where ANSWER is \(allowed) and QUOTES "
                    + "are the exact words from the transcript that show it, copied character for character."
            ),
            ("user", "Question: \(criterion.question)\n\(prompt)\n\nTranscript:\n" + lines.joined(separator: "\n")),
        ]
    }

    /// The criterion's answer from the model's reply, or a reason to send it to review.
    public static func answer(_ reply: String, for criterion: Scorecard.Criterion, transcript: Transcript)
        -> Result<(value: String, evidence: [Evidence]), ReviewError>
    {
        var text = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        // Some models wrap JSON in a code fence.
        if text.hasPrefix("```") {
            text = text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("```") }.joined(separator: "\n")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let value = object["answer"] as? String
        else { return .failure(ReviewError("the model's reply was not the JSON asked for")) }
        do {
            _ = try Review.answered(value, for: criterion)
        } catch {
            return .failure(
                ReviewError("the model answered \"\(value.prefix(20))\", which this criterion does not take"))
        }
        let quotes = (object["quotes"] as? [Any])?.compactMap { $0 as? String }.filter { !$0.isEmpty } ?? []
        var evidence: [Evidence] = []
        for quote in quotes.prefix(RuleEvaluator.maximumEvidence) {
            guard let utterance = transcript.utterances.first(where: { $0.text.contains(quote) }),
                let range = utterance.text.range(of: quote)
            else { return .failure(ReviewError("a quote the model gave is not in the transcript")) }
            let (start, end) = Redactor.time(of: range, in: utterance)
            evidence.append(
                Evidence(
                    utteranceID: utterance.id, start: RuleEvaluator.rounded(start), end: RuleEvaluator.rounded(end),
                    text: quote))
        }
        guard value == "n/a" || !evidence.isEmpty else {
            return .failure(ReviewError("the model gave no quote to show its answer"))
        }
        return .success((value, evidence))
    }

    /// Puts the model's answers (or review notes) into an automatic evaluation's pending LLM
    /// criteria and recomputes the totals.
    public static func apply(
        _ replies: [String: Result<(value: String, evidence: [Evidence]), ReviewError>], to evaluation: CallEvaluation,
        card: Scorecard
    ) -> CallEvaluation {
        var answers = evaluation.answers
        for index in answers.indices {
            guard answers[index].status == .pending, let reply = replies[answers[index].criterionID],
                let criterion = card.criteria.first(where: { $0.id == answers[index].criterionID })
            else { continue }
            switch reply {
            case .success(let (value, evidence)):
                let (status, score) = (try? Review.answered(value, for: criterion)) ?? (.needsReview, nil)
                answers[index].status = status
                answers[index].value = value
                answers[index].score = score
                answers[index].evidence = evidence
            case .failure(let problem):
                answers[index].status = .needsReview
                answers[index].note = problem.description
            }
        }
        return Scorer.totals(card, answers)
    }
}

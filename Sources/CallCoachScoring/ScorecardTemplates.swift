/// The scorecards a company can start from, each a complete definition in the scorecard format.
public enum ScorecardTemplates {
    public struct Template: Sendable {
        public let id: String
        public let json: String
    }

    public static let all: [Template] = [
        Template(
            id: "customer-support-qa",
            json: #"""
                {"name": "Customer support QA", "sections": [
                  {"id": "opening", "title": "Opening", "criteria": [
                    {"id": "greeting", "question": "Did the agent greet the customer and give their name?", "weight": 10,
                     "kind": "rule", "rule": {"any": [{"phrase": ["thank you for calling", "thanks for calling", "my name is", "this is * speaking"], "speaker": "agent", "window": {"firstSeconds": 30}}]}},
                    {"id": "recording-disclosure", "question": "Did the agent say the call may be recorded?", "weight": 15, "autoFail": "card",
                     "kind": "rule", "rule": {"phrase": ["call may be recorded", "call is being recorded", "call may be monitored", "calls are recorded"], "speaker": "agent", "window": {"firstSeconds": 30}}}]},
                  {"id": "resolution", "title": "Resolution", "criteria": [
                    {"id": "empathy", "question": "Did the agent acknowledge the customer's problem?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["i'm sorry", "i am sorry", "i apologize", "i understand", "sorry about that", "sorry to hear"], "speaker": "agent"}},
                    {"id": "no-dead-air", "question": "Did the call avoid silences longer than 20 seconds?", "weight": 10,
                     "kind": "metric", "rule": {"not": {"metric": "nonTalk", "above": 20}}},
                    {"id": "listening", "question": "Did the agent let the customer speak (at most 70 % of the talk)?", "weight": 10,
                     "kind": "metric", "rule": {"metric": "talkRatio", "speaker": "agent", "below": 0.7}},
                    {"id": "resolved", "question": "Was the customer's issue resolved?", "weight": 25, "answer": {"scale": 5}, "kind": "manual"}]},
                  {"id": "closing", "title": "Closing", "criteria": [
                    {"id": "anything-else", "question": "Did the agent ask whether there was anything else?", "weight": 10,
                     "kind": "rule", "rule": {"phrase": ["anything else", "is there * else", "any other questions"], "speaker": "agent", "window": {"lastShare": 0.3}}},
                    {"id": "courtesy", "question": "Did the agent stay courteous?", "weight": 5,
                     "kind": "rule", "rule": {"none": [{"phrase": ["shut up", "that's not my problem", "calm down"], "speaker": "agent"}]}}]}]}
                """#),
        Template(
            id: "sales-discovery",
            json: #"""
                {"name": "Sales discovery", "sections": [
                  {"id": "discovery", "title": "Discovery", "criteria": [
                    {"id": "agenda", "question": "Did the rep set an agenda for the call?", "weight": 10,
                     "kind": "rule", "rule": {"phrase": ["agenda", "what i'd like to cover", "plan for today", "the goal of this call"], "speaker": "agent", "window": {"firstShare": 0.25}}},
                    {"id": "pain", "question": "Did the rep ask about the prospect's challenges?", "weight": 20,
                     "kind": "rule", "rule": {"phrase": ["challenge*", "biggest problem", "pain point*", "what's not working", "struggl*"], "speaker": "agent"}},
                    {"id": "budget", "question": "Did the rep ask about budget?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["budget", "how much * spend*", "price range"], "speaker": "agent"}},
                    {"id": "decision", "question": "Did the rep ask who decides and how?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["decision maker*", "who else is involved", "decision process", "sign off"], "speaker": "agent"}},
                    {"id": "listening", "question": "Did the prospect talk at least 40 % of the time?", "weight": 15,
                     "kind": "metric", "rule": {"metric": "talkRatio", "speaker": "customer", "above": 0.4}}]},
                  {"id": "close", "title": "Next steps", "criteria": [
                    {"id": "next-step", "question": "Did the call end with an agreed next step?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["next step*", "follow up", "schedule", "send you", "calendar invite"], "speaker": "agent", "window": {"lastShare": 0.3}}},
                    {"id": "no-promises", "question": "Did the rep avoid guarantees?", "weight": 10,
                     "kind": "rule", "rule": {"notNear": ["guarantee*", ["can't", "cannot", "not"]], "within": 3, "speaker": "agent"}}]}]}
                """#),
        Template(
            id: "collections-fdcpa",
            json: #"""
                {"name": "Collections (FDCPA / Regulation F)", "sections": [
                  {"id": "compliance", "title": "Required disclosures", "criteria": [
                    {"id": "identification", "question": "Did the collector identify themselves and the company?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["my name is", "this is * from", "this is * with", "calling from"], "speaker": "agent", "window": {"firstSeconds": 30}}},
                    {"id": "right-party", "question": "Did the collector verify they were speaking with the right person?", "weight": 15, "autoFail": "section",
                     "kind": "rule", "rule": {"phrase": ["am i speaking with", "is this *", "speaking with *", "verify your", "date of birth", "last four"], "speaker": "agent", "window": {"firstShare": 0.3}}},
                    {"id": "mini-miranda", "question": "Did the collector give the mini-Miranda?", "weight": 25, "autoFail": "card",
                     "kind": "rule", "rule": {"phrase": ["attempt to collect a debt", "any information obtained will be used for that purpose", "this is a communication from a debt collector"], "speaker": "agent"}}]},
                  {"id": "conduct", "title": "Conduct", "criteria": [
                    {"id": "no-threats", "question": "Did the collector avoid threats and false statements?", "weight": 20, "autoFail": "card",
                     "kind": "rule", "rule": {"none": [{"phrase": ["arrest*", "jail", "sue you", "garnish*", "criminal", "police"], "speaker": "agent"}]}},
                    {"id": "dispute-handled", "question": "If the consumer disputed the debt, did the collector explain the dispute process?", "weight": 10,
                     "notApplicableWhen": {"none": [{"phrase": ["dispute*", "not my debt", "don't owe"], "speaker": "customer"}]},
                     "kind": "rule", "rule": {"phrase": ["in writing", "validation notice", "dispute process", "within thirty days", "within 30 days"], "speaker": "agent"}},
                    {"id": "tone", "question": "Was the collector calm and respectful?", "weight": 15, "answer": {"scale": 5}, "kind": "manual"}]}]}
                """#),
        Template(
            id: "insurance-claims",
            json: #"""
                {"name": "Insurance claims", "sections": [
                  {"id": "intake", "title": "Claim intake", "criteria": [
                    {"id": "policy-verified", "question": "Did the agent verify the policy number?", "weight": 20,
                     "kind": "rule", "rule": {"near": ["policy", ["number", "{number}"]], "within": 3, "speaker": "agent"}},
                    {"id": "incident-details", "question": "Did the agent ask when and where the incident happened?", "weight": 20,
                     "kind": "rule", "rule": {"all": [{"phrase": ["when did", "what date", "what time"], "speaker": "agent"}, {"phrase": ["where did", "where was", "location"], "speaker": "agent"}]}},
                    {"id": "empathy", "question": "Did the agent show empathy for the loss?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["i'm sorry", "i am sorry", "sorry to hear", "that must be"], "speaker": "agent"}}]},
                  {"id": "next", "title": "Next steps", "criteria": [
                    {"id": "claim-number", "question": "Did the agent give a claim number?", "weight": 20,
                     "kind": "rule", "rule": {"phrase": ["claim number", "reference number"], "speaker": "agent"}},
                    {"id": "timeline", "question": "Did the agent explain what happens next and when?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["adjuster", "within {number} * days", "next step*", "will contact you"], "speaker": "agent"}},
                    {"id": "accuracy", "question": "Was the information given accurate?", "weight": 10, "kind": "manual"}]}]}
                """#),
        Template(
            id: "telecom-retention",
            json: #"""
                {"name": "Telecom retention", "sections": [
                  {"id": "save", "title": "Retention", "criteria": [
                    {"id": "reason", "question": "Did the agent ask why the customer wants to leave?", "weight": 20,
                     "kind": "rule", "rule": {"phrase": ["why * cancel*", "reason for", "what made you", "why * leave", "why * switch*"], "speaker": "agent"}},
                    {"id": "offer", "question": "Did the agent make a retention offer?", "weight": 25,
                     "kind": "rule", "rule": {"phrase": ["discount", "offer", "credit", "upgrade", "waive", "promotion"], "speaker": "agent"}},
                    {"id": "value", "question": "Did the agent remind the customer of the plan's value?", "weight": 15,
                     "kind": "rule", "rule": {"phrase": ["your plan includes", "you currently have", "unlimited", "benefits"], "speaker": "agent"}}]},
                  {"id": "respect", "title": "Respecting the decision", "criteria": [
                    {"id": "honours-cancel", "question": "If the customer insisted, did the agent process the cancellation?", "weight": 20,
                     "notApplicableWhen": {"none": [{"phrase": ["just cancel", "i still want to cancel", "cancel it", "cancel my"], "speaker": "customer"}]},
                     "kind": "rule", "rule": {"phrase": ["cancel*", "processed", "confirmation number"], "speaker": "agent", "window": {"lastShare": 0.5}}},
                    {"id": "no-pressure", "question": "Did the agent avoid talking over the customer?", "weight": 20,
                     "kind": "metric", "rule": {"metric": "interruptions", "speaker": "agent", "below": 3}}]}]}
                """#),
    ]

    public static func template(_ id: String) -> Template? { all.first { $0.id == id } }
}

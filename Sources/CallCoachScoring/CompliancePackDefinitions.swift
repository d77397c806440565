extension CompliancePacks {
    /// The shipped packs, as data in the rule language (`docs/compliance.md`).
    static let definitions: [String] = [
        #"""
        {"id": "pci-dss", "name": "PCI DSS: card data on calls", "version": 1, "rules": [
          {"id": "card-number-spoken", "title": "A card number was said on the recorded call", "severity": "high",
           "regulation": "PCI DSS v4.0 Req. 3.3, 3.4 (stored account data)", "when": {"redacted": "card number"}},
          {"id": "security-code-spoken", "title": "A card security code was said on the recorded call", "severity": "critical",
           "regulation": "PCI DSS v4.0 Req. 3.3.1.2 (no storage of card verification codes)", "when": {"redacted": "security code"}},
          {"id": "payment-without-pause", "title": "Payment was taken without pausing the recording", "severity": "high",
           "regulation": "PCI DSS v4.0 Req. 3.3.1 and the PCI SSC guidance on telephone payments",
           "when": {"all": [{"redacted": "card number"}, {"none": [{"phrase": ["pause the recording", "pausing the recording", "recording is paused", "secure line", "keypad"], "speaker": "agent"}]}]}}]}
        """#,
        #"""
        {"id": "recording-disclosure", "name": "Call-recording disclosure", "version": 1, "rules": [
          {"id": "disclosure-missing", "title": "No recording disclosure in the first 30 seconds", "severity": "high",
           "regulation": "Two-party consent statutes, e.g. Cal. Penal Code § 632; 18 U.S.C. § 2511(2)(d)",
           "when": {"not": {"phrase": ["call may be recorded", "call is being recorded", "call will be recorded", "calls are recorded", "call may be monitored", "recorded for quality", "recorded line"], "speaker": "agent", "window": {"firstSeconds": 30}}}},
          {"id": "customer-objects", "title": "The customer objected to being recorded", "severity": "medium",
           "regulation": "Two-party consent statutes, e.g. Cal. Penal Code § 632",
           "when": {"phrase": ["don't record", "do not record", "stop recording", "not want to be recorded", "don't want to be recorded", "turn off the recording"], "speaker": "customer"}}]}
        """#,
        #"""
        {"id": "fdcpa-regf", "name": "FDCPA and Regulation F", "version": 1, "rules": [
          {"id": "call-frequency", "title": "More than 7 calls to this consumer within 7 days", "severity": "high",
           "regulation": "12 CFR § 1006.14(b)(2)(i)(A)", "when": {"callsWithin": {"days": 7, "moreThan": 7}}},
          {"id": "call-after-conversation", "title": "A call within 7 days after a telephone conversation", "severity": "high",
           "regulation": "12 CFR § 1006.14(b)(2)(i)(B)", "when": {"afterConversation": {"days": 7}}},
          {"id": "mini-miranda-missing", "title": "No mini-Miranda disclosure", "severity": "high",
           "regulation": "15 U.S.C. § 1692e(11); 12 CFR § 1006.18(e)",
           "when": {"not": {"phrase": ["attempt to collect a debt", "communication from a debt collector", "any information obtained will be used for that purpose"], "speaker": "agent"}}},
          {"id": "debt-before-verification", "title": "The debt was discussed before right-party verification", "severity": "high",
           "regulation": "15 U.S.C. § 1692c(b); 12 CFR § 1006.6(d)",
           "when": {"any": [
             {"firstBefore": [{"phrase": ["you owe", "your balance", "the balance", "past due", "outstanding amount", "your debt"], "speaker": "agent"}, {"phrase": ["am i speaking with", "speaking with *", "verify your", "date of birth", "last four"], "speaker": "agent"}]},
             {"all": [{"phrase": ["you owe", "your balance", "the balance", "past due", "outstanding amount", "your debt"], "speaker": "agent"}, {"not": {"phrase": ["am i speaking with", "speaking with *", "verify your", "date of birth", "last four"], "speaker": "agent"}}]}]}},
          {"id": "threat-or-false-statement", "title": "A threat or a false statement", "severity": "critical",
           "regulation": "15 U.S.C. § 1692d, § 1692e(4), (5); 12 CFR § 1006.14, § 1006.18",
           "when": {"phrase": ["arrest*", "jail", "go to prison", "police", "criminal charges", "garnish your wages", "seize your", "ruin your credit"], "speaker": "agent"}},
          {"id": "dispute-request", "title": "The consumer disputed the debt", "severity": "medium", "followUpBusinessDays": 5,
           "regulation": "15 U.S.C. § 1692g(b); 12 CFR § 1006.34, § 1006.38",
           "when": {"phrase": ["dispute*", "not my debt", "don't owe", "do not owe", "never had this account"], "speaker": "customer"}},
          {"id": "cease-request", "title": "The consumer asked the collector to stop contacting them", "severity": "medium", "followUpBusinessDays": 1,
           "regulation": "15 U.S.C. § 1692c(c); 12 CFR § 1006.6(c)",
           "when": {"any": [{"phrase": ["stop calling", "don't call me", "do not call me", "cease", "leave me alone"], "speaker": "customer"}, {"semantic": ["stop contacting me", "never call me again"], "threshold": 0.7, "speaker": "customer"}]}}]}
        """#,
        #"""
        {"id": "tcpa", "name": "TCPA and telemarketing", "version": 1, "rules": [
          {"id": "outside-calling-hours", "title": "The call was outside 08:00-21:00 in the called party's time zone", "severity": "high",
           "regulation": "47 CFR § 64.1200(c)(1); 16 CFR § 310.4(c)", "when": {"callTimeOutside": ["08:00", "21:00"]}},
          {"id": "identification-missing", "title": "The caller and company were not identified early in the call", "severity": "medium",
           "regulation": "47 CFR § 64.1200(d)(4); 16 CFR § 310.4(d)(1)",
           "when": {"not": {"phrase": ["my name is", "this is * from", "this is * with", "calling from", "calling on behalf of"], "speaker": "agent", "window": {"firstSeconds": 30}}}},
          {"id": "opt-out-request", "title": "The called party asked to be put on the do-not-call list", "severity": "medium", "followUpBusinessDays": 10,
           "regulation": "47 CFR § 64.1200(d)(3); 16 CFR § 310.4(b)(1)(iii)(A)",
           "when": {"any": [{"phrase": ["remove me from your list", "take me off your list", "put me on your do not call list", "do not call list", "stop calling", "opt out", "unsubscribe"], "speaker": "customer"}, {"semantic": ["stop calling me", "take me off your calling list"], "threshold": 0.7, "speaker": "customer"}]}}]}
        """#,
        #"""
        {"id": "hipaa-identifiers", "name": "HIPAA identifiers", "version": 1, "rules": [
          {"id": "ssn-spoken", "title": "A social security number was said", "severity": "high",
           "regulation": "45 CFR § 164.514(b)(2)(i)(G)", "when": {"redacted": "social security number"}},
          {"id": "medical-record-number", "title": "A medical record or member number was said", "severity": "medium",
           "regulation": "45 CFR § 164.514(b)(2)(i)(H), (I)", "when": {"redacted": "medical record number"}},
          {"id": "date-of-birth", "title": "A date of birth was said", "severity": "medium",
           "regulation": "45 CFR § 164.514(b)(2)(i)(C)", "when": {"redacted": "date of birth"}},
          {"id": "diagnosis-discussed", "title": "A diagnosis or treatment was discussed", "severity": "low",
           "regulation": "45 CFR § 160.103 (protected health information)",
           "when": {"phrase": ["diagnos*", "prescription", "treatment for", "medication"]}}]}
        """#,
    ]
}

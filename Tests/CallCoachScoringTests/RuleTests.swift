import CallCoachAnalysis
import CallCoachScoring
import Testing

/// A collections call, written for these tests, with hand-checkable times.
let collectionsCall = #"""
    {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
     "utterances":[
      {"speaker":"a","start":0.0,"end":6.0,"text":"Hello, this is Dana from Acme Recovery. Am I speaking with Sam Lee? This call may be recorded."},
      {"speaker":"c","start":6.5,"end":8.0,"text":"Yes, this is Sam."},
      {"speaker":"a","start":8.5,"end":14.0,"text":"This is an attempt to collect a debt and any information obtained will be used for that purpose."},
      {"speaker":"c","start":14.5,"end":22.0,"text":"Fine. My card is four one one one, one one one one, one one one one, one one one one."},
      {"speaker":"a","start":22.5,"end":27.0,"text":"Thanks. I'm cancelling the late fee; we can't guarantee anything else."},
      {"speaker":"c","start":40.0,"end":44.0,"text":"I want to stop these calls, please don't call me again."},
      {"speaker":"a","start":44.5,"end":50.0,"text":"Understood, you will get a confirmation within twenty one days. Goodbye."}
     ]}
    """#

func context(_ json: String = collectionsCall) throws -> CallContext {
    let transcript = try TranscriptParser.parse(Array(json.utf8), format: .json)
    return CallContext(transcript: transcript, report: ConversationAnalyzer.analyze(transcript, callDuration: nil))
}

func outcome(_ rule: String, _ json: String = collectionsCall) throws -> RuleOutcome {
    let evaluator = RuleEvaluator(context: try context(json))
    return evaluator.evaluate(try RuleParser.parse(Array(rule.utf8)))
}

@Suite struct SpokenNumberTests {
    @Test func numbersAreDigitsHoweverTheyWereSaidOrWritten() {
        let cases: [(String, [String])] = [
            ("four one one one", ["4111"]),
            ("4111-1111 1111,1111", ["4111111111111111"]),
            ("twenty one days", ["21", "days"]),
            ("twenty days", ["20", "days"]),
            ("double five oh seven", ["5507"]),
            ("triple nine", ["999"]),
            ("oh no", ["oh", "no"]),
            ("expires oh four twenty six", ["expires", "0426"]),
            ("thirteen", ["13"]),
            ("I'm here, don’t worry", ["i'm", "here", "don't", "worry"]),
            ("cafe\u{301} olé", ["cafe\u{301}", "olé"]),
            ("Straße ÉCOLE", ["straße", "école"]),
        ]
        for (text, expected) in cases {
            #expect(TextTokens.tokens(text).map(\.text) == expected, "\(text)")
        }
        let tokens = TextTokens.tokens("card: four one, two")
        #expect(String("card: four one, two"[tokens[1].range]) == "four one, two", "ranges cover the original words")
    }

    @Test func theLuhnCheckTakesWrittenAndSpokenDigits() {
        #expect(Luhn.isCardNumber("4111111111111111"))
        #expect(Luhn.isCardNumber("79927398713") == false, "valid checksum, too short for a card")
        #expect(Luhn.isValid("79927398713"))
        #expect(!Luhn.isValid("79927398710"))
        #expect(!Luhn.isCardNumber("4111111111111112"))
        #expect(!Luhn.isValid("12a4"))
        let spoken = TextTokens.tokens(
            "five five five five four four four four four four four four four four four four")
        #expect(spoken.count == 1 && Luhn.isCardNumber(spoken[0].text) == false)
        let visa = TextTokens.tokens("four two four two, four two four two, four two four two, four two four two")
        #expect(visa.map(\.text) == ["4242424242424242"] && Luhn.isCardNumber(visa[0].text))
    }
}

@Suite struct RuleOperatorTests {
    @Test func phrasesMatchWordsWildcardsListsAndNumbers() throws {
        let disclosure = try outcome(#"{"phrase":"this call may be recorded"}"#)
        #expect(disclosure.matched)
        #expect(disclosure.evidence.first?.text == "This call may be recorded")
        #expect(disclosure.evidence.first?.utteranceID == "u1")
        #expect(try !outcome(#"{"phrase":"this call is recorded"}"#).matched)
        #expect(try outcome(#"{"phrase":"attempt to * a debt"}"#).evidence.first?.text == "attempt to collect a debt")
        #expect(try outcome(#"{"phrase":"cancel* the late fee"}"#).matched)
        #expect(try !outcome(#"{"phrase":"cancel the late fee"}"#).matched)
        #expect(try outcome(#"{"phrase":["refund","late fee"]}"#).evidence.map(\.text) == ["late fee"])
        let card = try outcome(#"{"phrase":"my card is {number:13-19}"}"#)
        #expect(
            card.evidence.first?.text
                == "My card is four one one one, one one one one, one one one one, one one one one")
        #expect(try !outcome(#"{"phrase":"my card is {number:3-4}"}"#).matched)
        #expect(try outcome(#"{"phrase":"within {number} days"}"#).evidence.first?.text == "within twenty one days")
        #expect(try outcome(#"{"phrase":"within 21 days"}"#).matched, "digits in a rule match spoken numbers")
        #expect(try outcome(#"{"phrase":"can't guarantee"}"#).matched)
    }

    @Test func speakersAndWindowsNarrowWhereARuleLooks() throws {
        #expect(try outcome(#"{"phrase":"this call may be recorded","speaker":"agent"}"#).matched)
        #expect(try !outcome(#"{"phrase":"this call may be recorded","speaker":"customer"}"#).matched)
        #expect(try outcome(#"{"phrase":"may be recorded","window":{"firstSeconds":15}}"#).matched)
        #expect(
            try !outcome(#"{"phrase":"may be recorded","window":{"firstSeconds":2}}"#).matched,
            "said at the end of the first utterance")
        #expect(try outcome(#"{"phrase":"goodbye","window":{"lastSeconds":10}}"#).matched)
        #expect(try !outcome(#"{"phrase":"goodbye","window":{"firstShare":0.5}}"#).matched)
        #expect(try outcome(#"{"phrase":"hello","window":{"firstShare":0.1}}"#).matched)
        #expect(try !outcome(#"{"phrase":"hello","window":{"lastShare":0.5}}"#).matched)
    }

    @Test func proximityCountsTheWordsBetween() throws {
        #expect(try outcome(#"{"near":["stop","calls"],"within":2}"#).matched)
        #expect(try !outcome(#"{"near":["stop","again"],"within":3}"#).matched)
        #expect(
            try outcome(#"{"near":["stop",["again","me"]],"within":6}"#).evidence.map(\.text) == [
                "stop these calls, please don't call me again", "stop these calls, please don't call me",
            ])
        #expect(try outcome(#"{"near":["stop",["again","me"]],"within":5}"#).evidence.count == 1)
        let unqualified = try outcome(#"{"notNear":["guarantee","can't"],"within":1}"#)
        #expect(!unqualified.matched, "every guarantee here has a can't beside it")
        #expect(try outcome(#"{"notNear":["late fee","waive"],"within":5}"#).matched)
    }

    @Test func combinationsAndNegation() throws {
        #expect(try outcome(#"{"all":[{"phrase":"hello"},{"phrase":"goodbye"}]}"#).matched)
        #expect(try !outcome(#"{"all":[{"phrase":"hello"},{"phrase":"refund"}]}"#).matched)
        let any = try outcome(#"{"any":[{"phrase":"refund"},{"phrase":"goodbye"}]}"#)
        #expect(any.matched && any.evidence.map(\.text) == ["Goodbye"])
        let forbidden = try outcome(#"{"none":[{"phrase":"guarantee"},{"phrase":"lawsuit"}]}"#)
        #expect(!forbidden.matched && forbidden.evidence.map(\.text) == ["guarantee"], "the violation is the evidence")
        #expect(try outcome(#"{"none":[{"phrase":"lawsuit"}]}"#).matched)
        #expect(try outcome(#"{"not":{"phrase":"lawsuit"}}"#).matched)
        #expect(try !outcome(#"{"not":{"phrase":"debt"}}"#).matched)
    }

    @Test func metricConditions() throws {
        let silence = try outcome(#"{"metric":"nonTalk","above":10}"#)
        #expect(silence.matched && silence.evidence.first?.start == 27 && silence.evidence.first?.end == 40)
        #expect(try !outcome(#"{"metric":"nonTalk","above":15}"#).matched)
        #expect(try outcome(#"{"metric":"wordsPerMinute","speaker":"agent","above":100}"#).matched)
        #expect(try !outcome(#"{"metric":"wordsPerMinute","speaker":"agent","below":100}"#).matched)
        #expect(try outcome(#"{"metric":"interruptions","speaker":"agent","below":1}"#).matched)
        #expect(try outcome(#"{"metric":"talkRatio","speaker":"agent","above":0.5}"#).matched)
        #expect(try outcome(#"{"metric":"longestMonologue","speaker":"customer","above":7}"#).matched)
        #expect(
            try outcome(#"{"metric":"sentiment","speaker":"customer","window":{"lastSeconds":20},"below":5}"#).matched)
        #expect(
            try !outcome(#"{"metric":"sentiment","speaker":"customer","window":{"firstSeconds":1},"below":5}"#).matched,
            "no customer turn in the window: nothing to measure")
    }

    @Test func semanticMatchFallsBackToContentWords() throws {
        let optOut = try outcome(
            #"{"semantic":["stop calling me","do not call me again"],"threshold":0.6,"speaker":"customer"}"#)
        #expect(optOut.matched && optOut.evidence.map(\.utteranceID) == ["u6"])
        #expect(optOut.evidence.first?.text == "I want to stop these calls, please don't call me again")
        #expect(try !outcome(#"{"semantic":["I want a refund"],"threshold":0.6}"#).matched)
    }

    @Test func everyEvidenceIsVerbatimAndInsideItsUtterance() throws {
        let call = try context()
        let evaluator = RuleEvaluator(context: call)
        let rules = [
            #"{"phrase":["this call may be recorded","{number}","attempt to * a debt"]}"#,
            #"{"near":["stop",["again","me"]],"within":6}"#, #"{"metric":"nonTalk","above":1}"#,
        ]
        for rule in rules {
            for evidence in evaluator.evaluate(try RuleParser.parse(Array(rule.utf8))).evidence {
                #expect(evidence.isVerified(in: call.transcript, duration: call.duration), "\(evidence)")
            }
        }
        let forged = Evidence(utteranceID: "u1", start: 0.5, end: 1, text: "this call is not recorded")
        #expect(!forged.isVerified(in: call.transcript, duration: call.duration))
        let misplaced = Evidence(utteranceID: "u1", start: 30, end: 31, text: "Hello")
        #expect(!misplaced.isVerified(in: call.transcript, duration: call.duration))
        #expect(
            !Evidence(utteranceID: "u99", start: 0, end: 1, text: "Hello").isVerified(in: call.transcript, duration: 50)
        )
    }
}

@Suite struct RuleParserTests {
    @Test func badRulesAreRefusedWithTheirPosition() {
        let cases: [(String, String)] = [
            ("{", "$"),
            (#"{"phrase":"hi","speaker":"manager"}"#, "$.speaker"),
            (#"{"frase":"hi"}"#, "$"),
            (#"{"phrase":"hi","near":["a","b"]}"#, "$"),
            (#"{"all":[{"phrase":"hi"},{"any":[{"phrase":[]}]}]}"#, "$.all[1].any[0].phrase"),
            (#"{"all":[]}"#, "$.all"),
            (#"{"near":["a","b"]}"#, "$.within"),
            (#"{"near":["a","b"],"within":2.5}"#, "$.within"),
            (#"{"near":["a"],"within":2}"#, "$.near"),
            (#"{"phrase":"hi","window":{"firstSeconds":-3}}"#, "$.window.firstSeconds"),
            (#"{"phrase":"hi","window":{"firstMinutes":3}}"#, "$.window.firstMinutes"),
            (#"{"phrase":"* *"}"#, "$.phrase"),
            (#"{"phrase":"card {number:19-13}"}"#, "$.phrase"),
            (#"{"phrase":["ok",7]}"#, "$.phrase[1]"),
            (#"{"metric":"wordsPerMinute","above":120}"#, "$.speaker"),
            (#"{"metric":"nonTalk","above":true}"#, "$.above"),
            (#"{"metric":"nonTalk","below":3}"#, "$.below"),
            (#"{"metric":"loudness","above":3}"#, "$.metric"),
            (#"{"metric":"talkRatio","speaker":"agent","above":0.5,"below":0.9}"#, "$"),
            (#"{"semantic":["x"],"threshold":2}"#, "$.threshold"),
            (#"{"not":{"phrase":"x"},"speaker":"agent"}"#, "$.speaker"),
            (#"{"phrase":"hi","extra":1}"#, "$.extra"),
        ]
        for (rule, path) in cases {
            #expect(throws: RuleError.self, "\(rule)") { try RuleParser.parse(Array(rule.utf8)) }
            do {
                _ = try RuleParser.parse(Array(rule.utf8))
            } catch {
                #expect(error.path == path, "\(rule): \(error)")
            }
        }
        var deep = #"{"phrase":"x"}"#
        for _ in 0..<20 { deep = #"{"not":\#(deep)}"# }
        #expect(throws: RuleError.self) { try RuleParser.parse(Array(deep.utf8)) }
    }
}

import CallCoachAnalysis
import Testing

@Suite struct LanguageTests {
    private func turn(_ text: String, duration: Double = 5) -> TurnReport? {
        Fixtures.analyze([Fixtures.agent(0, duration, text)]).turns.first
    }

    @Test func tokensKeepInnerApostrophesAndSplitHyphens() {
        // i | don't | think | that's | right | uh | huh | 3 | ’90s' → "90s" (outer quote dropped) = 9 tokens.
        #expect(turn("I don't think that's right... uh-huh, 3 '90s'")?.wordCount == 9)
        // Curly apostrophe inside a word: "can’t" is one token.
        #expect(turn("I can’t")?.wordCount == 2)
        #expect(turn("  ,,, !! ")?.wordCount == 0)
    }

    @Test(arguments: [
        ("Can you confirm your date of birth?", 1),
        ("what is your account number", 1),  // unpunctuated, opens with "what"
        ("I called yesterday. Why was I charged twice? And when will it be fixed?", 2),
        ("How are you. I am fine", 0),  // punctuation decides; the tail does not open with an interrogative
        ("do you have the number", 1),
        ("you know what I mean", 0),
        ("is it ok? could you repeat that", 2),  // one "?" plus an unpunctuated tail opening "could you"
        ("What??", 1),
        ("Right?", 1),
        ("", 0),
    ])
    func questions(text: String, expected: Int) {
        #expect(turn(text)?.questions == expected)
    }

    @Test func questionsAreSummedPerParty() {
        let report = Fixtures.analyze([
            Fixtures.agent(0, 4, "Hi. How can I help? Is it about your bill?"),
            Fixtures.customer(4, 8, "yes it is why is it so high"),
        ])
        #expect(report.agent.questions.value == 2)
        // "yes it is why…" does not open with an interrogative.
        #expect(report.customer.questions.value == 0)
    }

    @Test func fillersSkipBackchannelSoundsAndCountPhrases() {
        // um, uh, i mean, you know, kind of, hmm = 6; "uh-huh" and "mm-hmm" are not fillers.
        let text = "Um, so, uh, I mean, the bill is, you know, kind of high. Uh-huh. Mm-hmm. Hmm."
        let report = Fixtures.analyze([Fixtures.customer(0, 12, text)])
        let fillers = report.customer.fillers
        #expect(fillers.count.value == 6)
        let counts = Dictionary(uniqueKeysWithValues: fillers.terms.map { ($0.term, $0.count) })
        #expect(
            counts == [
                "um": 1, "uh": 1, "erm": 0, "er": 0, "ah": 0, "hmm": 1, "you know": 1, "i mean": 1,
                "sort of": 0, "kind of": 1,
            ])
        #expect(fillers.terms.map(\.term).first == "um")
        // 6 fillers over 12 s of talk: 6 / (12 / 60) = 30 per minute.
        #expect(fillers.perMinute.value == 30)
        #expect(report.turns.first?.fillers == 6)
        #expect(report.agent.fillers.perMinute.value == 0)
    }

    @Test func loudnessPassesThroughAndAveragesPerParty() {
        let report = Fixtures.analyze([
            Fixtures.agent(0, 2, Fixtures.words(5), loudness: 60),
            Fixtures.customer(2, 4, Fixtures.words(5)),
            Fixtures.agent(4, 6, Fixtures.words(5), loudness: 70),
            Fixtures.agent(6, 8, Fixtures.words(5)),
        ])
        #expect(report.turns.map(\.loudness) == [60, nil, 70, nil])
        // (60 + 70) / 2 = 65; the customer has no measured turn.
        #expect(report.agent.averageLoudness.value == 65)
        #expect(report.customer.averageLoudness.value == nil)
    }

    @Test func loudnessOutsideTheScaleIsClampedOrDropped() {
        let report = Fixtures.analyze([
            Fixtures.agent(0, 2, Fixtures.words(5), loudness: 140),
            Fixtures.agent(2, 4, Fixtures.words(5), loudness: .nan),
        ])
        #expect(report.turns.map(\.loudness) == [100, nil])
    }

    @Test func backchannelSettingsAreHonoured() {
        // "stop" (1 word, 0.8 s) is a backchannel by default and not when at most 0 words count.
        let line = Fixtures.customer(3, 3.8, "stop")
        #expect(Fixtures.analyze([line]).turns.first?.backchannel == true)
        let strict = Fixtures.analyze([line], settings: MetricSettings(backchannelMaxWords: 0))
        #expect(strict.turns.first?.backchannel == false)
    }
}

import CallCoachAnalysis
import CallCoachScoring
import Testing

@Suite struct RedactorTests {
    func transcript(_ texts: [String], words: [[Word]]? = nil) -> Transcript {
        Transcript(
            speakers: [Speaker(id: "c", role: .customer)],
            utterances: texts.enumerated().map { index, text in
                Utterance(
                    id: "u\(index + 1)", speaker: "c", start: Double(index) * 10, end: Double(index) * 10 + 8,
                    text: text, words: words?[index])
            })
    }

    @Test func cardNumbersSecurityCodesAndExpiryDatesBecomeMarkers() {
        let (redacted, redactions) = Redactor.redact(
            transcript([
                "My card is four one one one, one one one one, one one one one, one one one one.",
                "It's 4242 4242 4242 4242, expires oh four twenty seven and the security code is 123.",
                "The CVV is 9 8 7, and the expiration is 04/27.",
                "My order number is 1234567890123 and I called 3 times.",
            ]))
        #expect(redacted.utterances[0].text == "My card is [card number].")
        #expect(
            redacted.utterances[1].text
                == "It's [card number], expires [expiry date] and the security code is [security code].")
        #expect(redacted.utterances[2].text == "The CVV is [security code], and the expiration is [expiry date].")
        #expect(
            redacted.utterances[3].text == "My order number is 1234567890123 and I called 3 times.", "fails Luhn: kept")
        #expect(
            redactions.map(\.kind) == [
                .cardNumber, .cardNumber, .expiryDate, .securityCode, .securityCode, .expiryDate,
            ])
        #expect(redactions.allSatisfy { $0.start >= 0 && $0.start < $0.end })
        #expect(redactions[0].utteranceID == "u1" && redactions[0].start > 0 && redactions[0].end <= 8)
        for utterance in redacted.utterances.prefix(3) {
            #expect(!utterance.text.contains { $0.isNumber }, "\(utterance.text)")
        }
    }

    @Test func digitsRunTogetherByTheRecogniserAreStillACardNumber() {
        // What whisper tiny.en made of a spoken 4242 4242 4242 4242 on an 8 kHz line.
        let (redacted, redactions) = Redactor.redact(
            transcript(["My current time may be 42424242424242424242324242424242424242422."]))
        #expect(redacted.utterances[0].text == "My current time may be [card number].")
        #expect(redactions.map(\.kind) == [.cardNumber])
        #expect(Luhn.mayHoldCardNumber("4242424242424242") && !Luhn.mayHoldCardNumber("4242424242424243"))
        #expect(!Luhn.mayHoldCardNumber("11111111111111111111"), "twenty ones: no 13-19 window passes")
    }

    @Test func timedWordsAreReplacedAndGiveTheSpan() {
        let words = [
            Word(text: "card", start: 0.5, end: 0.9), Word(text: "4111", start: 1.0, end: 1.6),
            Word(text: "1111", start: 1.7, end: 2.3), Word(text: "1111", start: 2.4, end: 3.0),
            Word(text: "1111.", start: 3.1, end: 3.8), Word(text: "thanks", start: 4.0, end: 4.5),
        ]
        let (redacted, redactions) = Redactor.redact(transcript(["card 4111 1111 1111 1111. thanks"], words: [words]))
        #expect(redacted.utterances[0].text == "card [card number]. thanks")
        #expect(redacted.utterances[0].words?.map(\.text) == ["card", "[card number]", "thanks"])
        #expect(redactions.first.map { $0.start <= 1.0 && $0.end >= 3.8 } == true, "\(redactions)")
    }

    @Test func aCallWithoutCardDataIsUntouched() {
        let call = transcript(["Thanks for calling, how can I help?", "I was charged 25 dollars twice on the 3rd."])
        let (redacted, redactions) = Redactor.redact(call)
        #expect(redacted == call && redactions.isEmpty)
    }

    @Test func healthIdentifiersAreRedactedOnlyInTheHealthProfile() {
        let call = transcript([
            "My social security number is 123 45 6789 and my date of birth is oh four twelve eighty.",
            "The member ID is 99887766, and I was born on 4 12 1980.",
            "Call me back at 5551234.",
        ])
        let (redacted, redactions) = Redactor.redact(call, health: true)
        #expect(
            redacted.utterances[0].text
                == "My social security number is [social security number] and my date of birth is [date of birth].")
        #expect(
            redacted.utterances[1].text
                == "The member ID is [medical record number], and I was born on [date of birth].")
        #expect(redacted.utterances[2].text == "Call me back at 5551234.", "no cue, not nine digits: kept")
        #expect(redactions.map(\.kind) == [.socialSecurityNumber, .dateOfBirth, .medicalRecordNumber, .dateOfBirth])
        #expect(Redactor.redact(call).redactions.isEmpty, "outside the health profile they stay")
    }
}

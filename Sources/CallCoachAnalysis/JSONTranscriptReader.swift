import Foundation

/// Reads the JSON transcript format: `{"speakers":[{"id","role"}],"utterances":[{"speaker","start","end",
/// "text","words"?}]}`, refusing unknown fields.
enum JSONTranscriptReader {
    static func read(_ text: String) throws(TranscriptError) -> Transcript {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        } catch let error as TranscriptError {
            throw error
        } catch let error as DecodingError {
            throw JSONPlace.error(for: error)
        } catch {
            throw TranscriptError(.malformed, "the transcript is not valid JSON")
        }
        let drafts = document.utterances.enumerated().map { index, entry in
            UtteranceDraft(
                ordinal: index + 1, speaker: entry.speaker, start: entry.start, end: entry.end, text: entry.text,
                words: entry.words?.map { Word(text: $0.text, start: $0.start, end: $0.end, confidence: $0.confidence) }
            )
        }
        return try TranscriptValidator.transcript(speakers: document.speakers, drafts: drafts, noun: "utterance")
    }

    private struct Document: Decodable {
        let speakers: [Speaker]
        let utterances: [UtteranceEntry]

        private enum CodingKeys: String, CodingKey, CaseIterable { case speakers, utterances }

        init(from decoder: any Decoder) throws {
            try JSONPlace.refuseUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            speakers = try JSONPlace.decodeArray(
                SpeakerEntry.self, in: container, forKey: .speakers, limit: TranscriptLimits.maximumSpeakers,
                tooMany: TranscriptError(
                    .tooManySpeakers, "more than \(TranscriptLimits.maximumSpeakers) speakers")
            ).map(\.speaker)
            utterances = try JSONPlace.decodeArray(
                UtteranceEntry.self, in: container, forKey: .utterances, limit: TranscriptLimits.maximumUtterances,
                tooMany: TranscriptError(
                    .tooManyUtterances, "more than \(TranscriptLimits.maximumUtterances) utterances"))
        }
    }

    private struct SpeakerEntry: Decodable {
        let speaker: Speaker

        private enum CodingKeys: String, CodingKey, CaseIterable { case id, role }

        init(from decoder: any Decoder) throws {
            try JSONPlace.refuseUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let id = try container.decode(String.self, forKey: .id)
            guard let role = SpeakerRole(rawValue: try container.decode(String.self, forKey: .role)) else {
                throw TranscriptError(
                    .invalidRole, "\(JSONPlace.describe(decoder.codingPath)) has a role other than agent or customer")
            }
            speaker = Speaker(id: id, role: role)
        }
    }

    private struct UtteranceEntry: Decodable {
        let speaker: String
        let start: Double
        let end: Double
        let text: String
        let words: [WordEntry]?

        private enum CodingKeys: String, CodingKey, CaseIterable { case speaker, start, end, text, words }

        init(from decoder: any Decoder) throws {
            try JSONPlace.refuseUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            speaker = try container.decode(String.self, forKey: .speaker)
            start = try container.decode(Double.self, forKey: .start)
            end = try container.decode(Double.self, forKey: .end)
            text = try container.decode(String.self, forKey: .text)
            if container.contains(.words), try !container.decodeNil(forKey: .words) {
                let place = JSONPlace.describe(decoder.codingPath)
                words = try JSONPlace.decodeArray(
                    WordEntry.self, in: container, forKey: .words, limit: TranscriptLimits.maximumWords,
                    tooMany: TranscriptError(
                        .tooManyWords, "\(place) has more than \(TranscriptLimits.maximumWords) words"))
            } else {
                words = nil
            }
        }
    }

    private struct WordEntry: Decodable {
        let text: String
        let start: Double
        let end: Double
        let confidence: Double?

        private enum CodingKeys: String, CodingKey, CaseIterable { case text, start, end, confidence }

        init(from decoder: any Decoder) throws {
            try JSONPlace.refuseUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            text = try container.decode(String.self, forKey: .text)
            start = try container.decode(Double.self, forKey: .start)
            end = try container.decode(Double.self, forKey: .end)
            confidence = try container.decodeIfPresent(Double.self, forKey: .confidence)
        }
    }
}

/// Positions inside a JSON transcript, described without repeating anything the client wrote.
enum JSONPlace {
    /// Field names the format defines; only these are ever named in a message.
    private static let knownFields: Set<String> = [
        "speakers", "utterances", "words", "id", "role", "speaker", "start", "end", "text", "confidence",
    ]

    private struct AnyKey: CodingKey {
        let stringValue: String
        let intValue: Int?

        init(stringValue: String) {
            self.stringValue = stringValue
            self.intValue = nil
        }

        init(intValue: Int) {
            self.stringValue = String(intValue)
            self.intValue = intValue
        }
    }

    /// Throws when the object being decoded has a field outside `allowed`.
    static func refuseUnknownKeys(in decoder: any Decoder, allowed: [String]) throws {
        let keys = try decoder.container(keyedBy: AnyKey.self).allKeys
        guard keys.allSatisfy({ allowed.contains($0.stringValue) }) else {
            throw TranscriptError(
                .unknownField, "\(describe(decoder.codingPath)) has a field the format does not define")
        }
    }

    /// An array field, refused before its elements are decoded when it holds more than `limit` of them.
    static func decodeArray<Element: Decodable, Key: CodingKey>(
        _ type: Element.Type, in container: KeyedDecodingContainer<Key>, forKey key: Key, limit: Int,
        tooMany: TranscriptError
    ) throws -> [Element] {
        var elements = try container.nestedUnkeyedContainer(forKey: key)
        if let count = elements.count, count > limit { throw tooMany }
        var result: [Element] = []
        result.reserveCapacity(elements.count ?? 0)
        while !elements.isAtEnd {
            result.append(try elements.decode(Element.self))
        }
        return result
    }

    /// `utterance 3, word 2`, or `the top level` for the document itself.
    static func describe(_ path: [any CodingKey]) -> String {
        var parts: [String] = []
        var arrayName = "item"
        for key in path {
            if let index = key.intValue {
                parts.append("\(arrayName) \(index + 1)")
            } else {
                arrayName = singular(key.stringValue)
            }
        }
        return parts.isEmpty ? "the top level" : parts.joined(separator: ", ")
    }

    /// The transcript error for a decoding failure, naming where it happened.
    static func error(for error: DecodingError) -> TranscriptError {
        switch error {
        case .keyNotFound(let key, let context):
            return TranscriptError(
                .invalidField, "\(describe(context.codingPath)) lacks the required field \(fieldName(key))")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            guard let field = context.codingPath.last, field.intValue == nil else {
                return context.codingPath.isEmpty
                    ? TranscriptError(.malformed, "the transcript must be a JSON object")
                    : TranscriptError(.invalidField, "\(describe(context.codingPath)) has the wrong type")
            }
            return TranscriptError(
                .invalidField,
                "\(describe(context.codingPath.dropLast())): field \(fieldName(field)) has the wrong type")
        case .dataCorrupted(let context):
            guard let field = context.codingPath.last else {
                return TranscriptError(.malformed, "the transcript is not valid JSON")
            }
            return TranscriptError(
                .invalidField,
                "\(describe(context.codingPath.dropLast())): field \(fieldName(field)) has an invalid value")
        @unknown default:
            return TranscriptError(.malformed, "the transcript is not valid JSON")
        }
    }

    private static func fieldName(_ key: any CodingKey) -> String {
        knownFields.contains(key.stringValue) ? "\"\(key.stringValue)\"" : "(unnamed)"
    }

    private static func singular(_ name: String) -> String {
        switch name {
        case "speakers": "speaker"
        case "utterances": "utterance"
        case "words": "word"
        default: "item"
        }
    }
}

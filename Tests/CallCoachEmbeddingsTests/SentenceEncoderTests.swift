import CallCoachEmbeddings
import CallCoachServer
import CallCoachTesting
import Foundation
import Testing

/// The Swift encoder against the published tokenizer and an independent numpy computation
/// (`scripts/reference-embeddings.py`), on the model files the set-up installed.
@Suite struct SentenceEncoderTests {
    static let directory = Configuration().modelsDirectory + "/all-MiniLM-L6-v2"
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let encoder = Result { try SentenceEncoder(directory: directory) }

    /// Strings that trip tokenizers: accents and combining marks, CJK, emoji, control and
    /// zero-width characters, odd spaces, punctuation runs, numbers, a 120-letter word, and text
    /// longer than the model's input.
    static let awkward: [String] = [
        "Thank you for calling, this call may be recorded.",
        "Ünïcödé NAÏVE café — résumé façade",
        "e\u{301}cole\u{0327} and İstanbul, straße, ΑΘΗΝΑ, Москва",
        "我的卡被扣了两次 please help",
        "My card 4111-1111-1111-1111 was charged $1,000.50 (twice!!) on 03/04/2026...",
        "tabs\tand\u{00A0}no-break\u{2003}em spaces\r\nand lines",
        "zero\u{200B}width\u{200D}joiner and a bell\u{07} and soft\u{00AD}hyphen",
        "emoji 😀👍🏽 and symbols ™ © ° ± ½ → ∞",
        "don't can't won't y'all o'clock",
        "https://example.com/path?query=1&x=y user@example.com",
        String(repeating: "a", count: 120) + " supercalifragilisticexpialidocious",
        "",
        "   ",
        String(repeating: "The customer asked about the refund policy again. ", count: 20),
    ]

    struct Reference: Decodable {
        let ids: [[Int32]]
        let vectors: [[Double]]
    }

    static func reference(_ texts: [String]) throws -> Reference {
        let input = String(decoding: try JSONEncoder().encode(["texts": texts]), as: UTF8.self)
        let output = try runTool(
            "python3", [packageRoot + "/scripts/reference-embeddings.py", directory], input: input)
        return try JSONDecoder().decode(Reference.self, from: Data(output.utf8))
    }

    @Test func tokenIdsAndVectorsMatchTheReference() async throws {
        let encoder = try Self.encoder.get()
        let texts = Self.awkward
        let reference = try await blocking { try Self.reference(texts) }
        let vectors = encoder.embed(texts)
        for (index, text) in texts.enumerated() {
            #expect(encoder.tokenizer.encode(text) == reference.ids[index], "token ids of \(text.debugDescription)")
            let cosine = zip(vectors[index], reference.vectors[index]).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            #expect(cosine >= 0.999, "cosine \(cosine) for \(text.debugDescription)")
            let length = vectors[index].reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
            #expect(abs(length - 1) < 1e-4)
        }
    }

    @Test func batchingDoesNotChangeAVector() throws {
        let encoder = try Self.encoder.get()
        let texts = Array(Self.awkward.prefix(10))
        let batched = encoder.embed(tokens: texts.map { encoder.tokenizer.encode($0) }, batchSize: 4)
        for (index, text) in texts.enumerated() {
            let alone = encoder.embed([text])[0]
            let cosine = zip(alone, batched[index]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(cosine > 0.99999, "\(text.debugDescription)")
        }
    }

    @Test func similarMeaningsAreCloserThanUnrelatedOnes() throws {
        let encoder = try Self.encoder.get()
        let vectors = encoder.embed([
            "I would like to cancel my subscription.", "Please end my membership.", "The weather is sunny today.",
        ])
        let cosine = { (a: Int, b: Int) in zip(vectors[a], vectors[b]).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        #expect(cosine(0, 1) > cosine(0, 2) + 0.2)
    }

    @Test func longTextIsCutIntoChunksOfAtMost128Tokens() throws {
        let encoder = try Self.encoder.get()
        let chunks = encoder.chunks(of: Self.awkward.last!)
        #expect(chunks.count == 2)
        #expect(chunks.allSatisfy { $0.count <= SentenceEncoder.maximumTokens && $0.first == 101 && $0.last == 102 })
        #expect(encoder.chunks(of: "  ").isEmpty)
    }

    @Test func aMissingOrCorruptModelIsAClearError() throws {
        let folder = try TemporaryDirectory()
        #expect(throws: EmbeddingError.self) { try SentenceEncoder(directory: folder.path) }
        try Data([9, 0, 0, 0, 0, 0, 0, 0, 1, 2]).write(to: URL(fileURLWithPath: folder.file("model.safetensors")))
        try FileManager.default.copyItem(atPath: Self.directory + "/vocab.txt", toPath: folder.file("vocab.txt"))
        #expect(throws: EmbeddingError("\(folder.file("model.safetensors")) is not a valid safetensors file")) {
            try SentenceEncoder(directory: folder.path)
        }
        let header = Array(
            #"{"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,99]}}"#.utf8)
        var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        bytes += [UInt8](repeating: 0, count: 16)
        #expect(throws: EmbeddingError.self) { try SafeTensors(data: Data(bytes)) }
    }
}

import COpenBLAS
import Foundation

/// all-MiniLM-L6-v2: a 6-layer BERT encoder (hidden size 384, 12 heads, feed-forward 1536)
/// whose token outputs are mean-pooled and L2-normalised into one 384-dimensional vector per text.
///
/// Matrix products run on OpenBLAS. A batch's sequences are laid end to end without padding:
/// the dense layers see all their tokens at once, attention runs per sequence, so no work is
/// spent on padding and no mask is needed.
public final class SentenceEncoder: Sendable {
    public static let dimensions = 384
    /// Tokens per input, `[CLS]` and `[SEP]` included; longer input is cut into chunks.
    public static let maximumTokens = 128
    static let heads = 12
    static let feedForward = 1536
    static let layerCount = 6
    static let epsilon: Float = 1e-12

    struct Dense {
        let weight: [Float]  // [out, in], row-major as stored
        let bias: [Float]
        let inputs: Int
        let outputs: Int
    }

    struct Norm {
        let weight: [Float]
        let bias: [Float]
    }

    struct Layer {
        let query: Dense
        let key: Dense
        let value: Dense
        let attentionOutput: Dense
        let attentionNorm: Norm
        let intermediate: Dense
        let output: Dense
        let outputNorm: Norm
    }

    public let tokenizer: WordPieceTokenizer
    let wordEmbeddings: [Float]
    let positionEmbeddings: [Float]
    let tokenTypeEmbedding: [Float]
    let embeddingNorm: Norm
    let layers: [Layer]

    /// Loads `model.safetensors` and `vocab.txt` from `directory`.
    public convenience init(directory: String, threads: Int = 1) throws(EmbeddingError) {
        try self.init(
            tensors: try SafeTensors(path: directory + "/model.safetensors"),
            tokenizer: try WordPieceTokenizer(vocabularyPath: directory + "/vocab.txt"), threads: threads)
    }

    /// `threads` is OpenBLAS's, for the whole process. One suits a server, whose workers run side
    /// by side: the matrices are small, and OpenBLAS's threads spin while they wait.
    public init(tensors: SafeTensors, tokenizer: WordPieceTokenizer, threads: Int = 1) throws(EmbeddingError) {
        let width = Self.dimensions
        func dense(_ name: String, _ outputs: Int, _ inputs: Int) throws(EmbeddingError) -> Dense {
            Dense(
                weight: try tensors.floats(name + ".weight", shape: [outputs, inputs]),
                bias: try tensors.floats(name + ".bias", shape: [outputs]), inputs: inputs, outputs: outputs)
        }
        func norm(_ name: String) throws(EmbeddingError) -> Norm {
            Norm(
                weight: try tensors.floats(name + ".weight", shape: [width]),
                bias: try tensors.floats(name + ".bias", shape: [width]))
        }
        let vocabularySize = tensors.entries["embeddings.word_embeddings.weight"]?.shape.first ?? 0
        guard vocabularySize > Int(max(tokenizer.unknown, tokenizer.classify, tokenizer.separator)) else {
            throw EmbeddingError("the vocabulary does not fit the model")
        }
        wordEmbeddings = try tensors.floats("embeddings.word_embeddings.weight", shape: [vocabularySize, width])
        positionEmbeddings = try tensors.floats("embeddings.position_embeddings.weight", shape: [512, width])
        tokenTypeEmbedding = Array(
            try tensors.floats("embeddings.token_type_embeddings.weight", shape: [2, width]).prefix(width))
        embeddingNorm = try norm("embeddings.LayerNorm")
        var layers: [Layer] = []
        for index in 0..<Self.layerCount {
            let prefix = "encoder.layer.\(index)."
            layers.append(
                Layer(
                    query: try dense(prefix + "attention.self.query", width, width),
                    key: try dense(prefix + "attention.self.key", width, width),
                    value: try dense(prefix + "attention.self.value", width, width),
                    attentionOutput: try dense(prefix + "attention.output.dense", width, width),
                    attentionNorm: try norm(prefix + "attention.output.LayerNorm"),
                    intermediate: try dense(prefix + "intermediate.dense", Self.feedForward, width),
                    output: try dense(prefix + "output.dense", width, Self.feedForward),
                    outputNorm: try norm(prefix + "output.LayerNorm")))
        }
        self.layers = layers
        self.tokenizer = tokenizer
        openblas_set_num_threads(Int32(max(1, threads)))
    }

    var vocabularySize: Int { wordEmbeddings.count / Self.dimensions }

    /// Token ids in chunks of at most ``maximumTokens``, each with `[CLS]` and `[SEP]`: one chunk
    /// for most utterances, several for a long one. Empty text has no chunk.
    public func chunks(of text: String) -> [[Int32]] {
        let pieces = tokenizer.pieces(of: text)
        let room = Self.maximumTokens - 2
        return stride(from: 0, to: pieces.count, by: room).map { start in
            [tokenizer.classify] + pieces[start..<min(pieces.count, start + room)] + [tokenizer.separator]
        }
    }

    /// One unit vector per text (texts longer than ``maximumTokens`` are cut to it).
    public func embed(_ texts: [String]) -> [[Float]] {
        embed(tokens: texts.map { Array(tokenizer.encode($0).prefix(Self.maximumTokens)) })
    }

    /// One unit vector per token sequence; sequences are run in batches of similar length.
    public func embed(tokens sequences: [[Int32]], batchSize: Int = 32) -> [[Float]] {
        var vectors = [[Float]](repeating: [], count: sequences.count)
        let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let batch = Array(order[start..<min(order.count, start + batchSize)])
            let results = encode(batch.map { Array(sequences[$0].prefix(Self.maximumTokens)) })
            for (index, vector) in zip(batch, results) { vectors[index] = vector }
        }
        return vectors
    }

    /// The forward pass over one batch.
    func encode(_ batch: [[Int32]]) -> [[Float]] {
        let width = Self.dimensions
        let lengths = batch.map(\.count)
        let total = lengths.reduce(0, +)
        guard total > 0 else { return batch.map { _ in [Float](repeating: 0, count: width) } }
        var hidden = [Float](repeating: 0, count: total * width)
        var row = 0
        for sequence in batch {
            for (position, token) in sequence.enumerated() {
                let id = Int(token) < vocabularySize && token >= 0 ? Int(token) : Int(tokenizer.unknown)
                for column in 0..<width {
                    hidden[row * width + column] =
                        wordEmbeddings[id * width + column] + positionEmbeddings[position * width + column]
                        + tokenTypeEmbedding[column]
                }
                row += 1
            }
        }
        Self.normalize(&hidden, embeddingNorm, rows: total)
        for layer in layers {
            let query = Self.apply(layer.query, hidden, rows: total)
            let key = Self.apply(layer.key, hidden, rows: total)
            let value = Self.apply(layer.value, hidden, rows: total)
            let context = Self.attention(query: query, key: key, value: value, lengths: lengths)
            var attended = Self.apply(layer.attentionOutput, context, rows: total)
            for index in attended.indices { attended[index] += hidden[index] }
            Self.normalize(&attended, layer.attentionNorm, rows: total)
            var expanded = Self.apply(layer.intermediate, attended, rows: total)
            expanded.withUnsafeMutableBufferPointer { values in
                for index in values.indices {
                    let x = values[index]
                    values[index] = 0.5 * x * (1 + Self.erf(x * Float(0.5).squareRoot()))
                }
            }
            var output = Self.apply(layer.output, expanded, rows: total)
            for index in output.indices { output[index] += attended[index] }
            Self.normalize(&output, layer.outputNorm, rows: total)
            hidden = output
        }
        var vectors: [[Float]] = []
        var first = 0
        for length in lengths {
            var mean = [Float](repeating: 0, count: width)
            for row in first..<(first + length) {
                for column in 0..<width { mean[column] += hidden[row * width + column] }
            }
            let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            vectors.append(mean.map { $0 / norm })
            first += length
        }
        return vectors
    }

    /// The error function, from Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7, below
    /// what a Float holds near 1), at a fifth of the cost of glibc's `erff`: GELU calls it for
    /// every one of the feed-forward layer's 1,536 outputs of every token.
    @inline(__always) static func erf(_ x: Float) -> Float {
        let a = abs(x)
        let t = 1 / (1 + 0.327_591_1 * a)
        let polynomial =
            ((((1.061_405_429 * t - 1.453_152_027) * t + 1.421_413_741) * t - 0.284_496_736) * t
                + 0.254_829_592) * t
        let y = 1 - polynomial * expf(-a * a)
        return x < 0 ? -y : y
    }

    /// `input · weightᵀ + bias` for `rows` rows.
    static func apply(_ dense: Dense, _ input: [Float], rows: Int) -> [Float] {
        var output = [Float](repeating: 0, count: rows * dense.outputs)
        for row in 0..<rows {
            for column in 0..<dense.outputs { output[row * dense.outputs + column] = dense.bias[column] }
        }
        input.withUnsafeBufferPointer { x in
            dense.weight.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { y in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(dense.outputs),
                        Int32(dense.inputs), 1, x.baseAddress, Int32(dense.inputs), w.baseAddress,
                        Int32(dense.inputs), 1, y.baseAddress, Int32(dense.outputs))
                }
            }
        }
        return output
    }

    /// Scaled dot-product self-attention, per sequence and head.
    static func attention(query: [Float], key: [Float], value: [Float], lengths: [Int]) -> [Float] {
        let width = dimensions
        let size = width / heads
        let scale = 1 / Float(size).squareRoot()
        var context = [Float](repeating: 0, count: query.count)
        var first = 0
        let longest = lengths.max() ?? 0
        var scores = [Float](repeating: 0, count: longest * longest)
        for length in lengths {
            defer { first += length }
            guard length > 0 else { continue }
            let n = Int32(length)
            for head in 0..<heads {
                let offset = first * width + head * size
                query.withUnsafeBufferPointer { q in
                    key.withUnsafeBufferPointer { k in
                        scores.withUnsafeMutableBufferPointer { s in
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Int32(size), scale,
                                q.baseAddress! + offset, Int32(width), k.baseAddress! + offset, Int32(width), 0,
                                s.baseAddress, n)
                        }
                    }
                }
                for row in 0..<length {
                    let base = row * length
                    var peak = -Float.infinity
                    for column in 0..<length { peak = max(peak, scores[base + column]) }
                    var sum: Float = 0
                    for column in 0..<length {
                        let e = expf(scores[base + column] - peak)
                        scores[base + column] = e
                        sum += e
                    }
                    for column in 0..<length { scores[base + column] /= sum }
                }
                scores.withUnsafeBufferPointer { s in
                    value.withUnsafeBufferPointer { v in
                        context.withUnsafeMutableBufferPointer { c in
                            cblas_sgemm(
                                CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(size), n, 1, s.baseAddress, n,
                                v.baseAddress! + offset, Int32(width), 0, c.baseAddress! + offset, Int32(width))
                        }
                    }
                }
            }
        }
        return context
    }

    /// Layer normalisation of each row in place.
    static func normalize(_ values: inout [Float], _ norm: Norm, rows: Int) {
        let width = dimensions
        for row in 0..<rows {
            let base = row * width
            var mean: Float = 0
            for column in 0..<width { mean += values[base + column] }
            mean /= Float(width)
            var variance: Float = 0
            for column in 0..<width {
                let d = values[base + column] - mean
                variance += d * d
            }
            variance /= Float(width)
            let inverse = 1 / (variance + epsilon).squareRoot()
            for column in 0..<width {
                values[base + column] =
                    (values[base + column] - mean) * inverse * norm.weight[column] + norm.bias[column]
            }
        }
    }
}

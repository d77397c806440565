import Foundation

/// One stored sentence vector: an utterance of a call, or one chunk of a long utterance.
public struct UtteranceEmbedding: Sendable, Equatable {
    public let utteranceID: String
    public let chunk: Int
    public let vector: [Float]

    public init(utteranceID: String, chunk: Int, vector: [Float]) {
        self.utteranceID = utteranceID
        self.chunk = chunk
        self.vector = vector
    }
}

/// The sentence vectors of the scope's company's calls. They stay on the server: scoring and
/// search read them here, and no route returns them.
public struct CallEmbeddings: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// Replaces a call's vectors, so processing a call again leaves one set.
    public func replace(
        callID: String, model: String, _ embeddings: [UtteranceEmbedding], at time: Date,
        _ connection: any DatabaseConnection
    ) throws {
        try connection.execute(
            "DELETE FROM call_embeddings WHERE company_id = \(scope.companyID) AND call_id = \(callID)")
        for embedding in embeddings {
            try connection.execute(
                """
                INSERT INTO call_embeddings (company_id, call_id, utterance_id, chunk, model, vector, created_at) \
                VALUES (\(scope.companyID), \(callID), \(embedding.utteranceID), \(embedding.chunk), \(model), \
                \(Self.bytes(embedding.vector)), \(time))
                """)
        }
    }

    /// A call's vectors in utterance order, with the model that made them.
    public func embeddings(callID: String, _ connection: any DatabaseConnection) throws -> [(
        model: String, embedding: UtteranceEmbedding
    )] {
        try connection.query(
            """
            SELECT utterance_id, chunk, model, vector FROM call_embeddings \
            WHERE company_id = \(scope.companyID) AND call_id = \(callID) ORDER BY utterance_id, chunk
            """
        ).map { row in
            let bytes: [UInt8] = try row.decode("vector")
            return (
                try row.decode("model"),
                UtteranceEmbedding(
                    utteranceID: try row.decode("utterance_id"), chunk: try row.decode("chunk"),
                    vector: Self.floats(bytes))
            )
        }
    }

    /// Little-endian IEEE 754 single precision, four bytes a dimension.
    static func bytes(_ vector: [Float]) -> [UInt8] {
        vector.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    static func floats(_ bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { offset in
            Float(
                bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                    | UInt32(bytes[offset + 3]) << 24)
        }
    }
}

import Foundation

/// Why a model could not be loaded; the message names the file, never its contents.
public struct EmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. Only `F32` tensors can
/// be read, which is what all-MiniLM-L6-v2 ships.
public struct SafeTensors: Sendable {
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        public let range: Range<Int>
    }

    public let entries: [String: Entry]
    private let data: Data
    private let dataStart: Int

    /// Reads the file mapped into memory; only the tensors asked for are copied out.
    public init(path: String) throws(EmbeddingError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw EmbeddingError("the model file \(path) is missing or unreadable")
        }
        try self.init(data: data, name: path)
    }

    public init(data: Data, name: String = "the model") throws(EmbeddingError) {
        let corrupt = EmbeddingError("\(name) is not a valid safetensors file")
        guard data.count >= 8 else { throw corrupt }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard length > 1, length <= 100_000_000, 8 + Int(length) <= data.count else { throw corrupt }
        let header = data.subdata(in: 8..<(8 + Int(length)))
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else { throw corrupt }
        let payload = data.count - 8 - Int(length)
        var entries: [String: Entry] = [:]
        for (key, value) in object where key != "__metadata__" {
            guard let description = value as? [String: Any], let dtype = description["dtype"] as? String,
                let shape = description["shape"] as? [Int], let offsets = description["data_offsets"] as? [Int],
                offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= payload,
                shape.allSatisfy({ $0 >= 0 })
            else { throw corrupt }
            let width = ["F32": 4, "I64": 8, "F16": 2, "BF16": 2, "I32": 4][dtype] ?? 0
            guard width == 0 || shape.reduce(1, *) * width == offsets[1] - offsets[0] else { throw corrupt }
            entries[key] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.entries = entries
        self.data = data
        dataStart = 8 + Int(length)
    }

    /// The values of an `F32` tensor, checked against the shape the caller expects.
    public func floats(_ name: String, shape: [Int]) throws(EmbeddingError) -> [Float] {
        guard let entry = entries[name] else { throw EmbeddingError("the model has no tensor \(name)") }
        guard entry.dtype == "F32", entry.shape == shape else {
            throw EmbeddingError("the model's tensor \(name) is \(entry.dtype) \(entry.shape), expected F32 \(shape)")
        }
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        let start = data.startIndex + dataStart + entry.range.lowerBound
        values.withUnsafeMutableBytes { buffer in
            _ = data.copyBytes(to: buffer, from: start..<(start + count * 4))
        }
        return values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    }
}

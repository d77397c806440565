import CallCoachCrypto
import Foundation

/// The per-company blob keys: HKDF-SHA256 of the master key, with the company id and the key
/// version in `info`, so each company (and each rotation) has its own key.
public struct BlobKeys: Sendable {
    private let masterKey: [UInt8]

    public init(masterKey: [UInt8]) {
        self.masterKey = masterKey
    }

    public func key(companyID: String, version: Int) -> [UInt8] {
        HKDF.deriveKey(
            inputKeyMaterial: masterKey, info: Array("callcoach/blob/v1|\(companyID)|\(version)".utf8), length: 32)
    }
}

/// Why a blob could not be stored or read.
public enum BlobError: Error, Sendable, Equatable {
    /// The file's bytes do not authenticate: changed, reordered, truncated, or another company's.
    case tampered
    case missing
    case tooLarge
    /// The disk refused the write (full, read-only, …); nothing was stored.
    case writeFailed
}

/// Encrypted blobs on local disk. A blob version is one file: a header, then segments of up to
/// 64 KiB of plaintext, each sealed with AES-256-GCM under the company's key with its own random
/// nonce. A segment's associated data binds the company, the blob, the version, the key version,
/// the segment's index and whether it is the last, so segments cannot be reordered, dropped,
/// truncated or moved to another company or blob. Streaming writes and range reads need only one
/// segment in memory.
public struct BlobStore: Sendable {
    public static let segmentSize = 64 * 1024
    static let magic: [UInt8] = Array("CCB1".utf8)
    static let headerSize = 12
    static let sealedSegmentSize = AESGCM.nonceLength + segmentSize + AESGCM.tagLength

    public let root: String
    public let keys: BlobKeys

    public init(root: String, keys: BlobKeys) {
        self.root = root
        self.keys = keys
    }

    /// Where version `version` of `key` lives.
    public func path(_ key: BlobKey, version: Int) -> String {
        "\(root)/\(key.path)/v\(version).blob"
    }

    /// A writer for a new version of `key`; bytes reach the disk encrypted as they arrive.
    public func writer(_ key: BlobKey, version: Int, keyVersion: Int) throws -> BlobWriter {
        try BlobWriter(
            key: key, version: version, keyVersion: keyVersion, destination: path(key, version: version),
            secret: keys.key(companyID: key.companyID, version: keyVersion))
    }

    /// A reader for a stored version.
    public func reader(_ key: BlobKey, version: Int) throws -> BlobReader {
        try BlobReader(key: key, version: version, path: path(key, version: version), keys: keys)
    }

    /// Removes a stored version (purges, failed writes).
    public func remove(_ key: BlobKey, version: Int) {
        try? FileManager.default.removeItem(atPath: path(key, version: version))
    }

    static func associatedData(
        _ key: BlobKey, version: Int, keyVersion: Int, segment: UInt64, final: Bool
    ) -> [UInt8] {
        var data = Array(
            "callcoach-blob/v1|\(key.companyID)|\(key.collection)|\(key.id)|\(version)|\(keyVersion)|".utf8)
        withUnsafeBytes(of: segment.bigEndian) { data.append(contentsOf: $0) }
        data.append(final ? 1 : 0)
        return data
    }
}

/// Writes one blob version: encrypts segment by segment into a temporary file beside the
/// destination, and moves it into place only when `finish()` has written and synced everything.
public final class BlobWriter {
    let key: BlobKey
    let version: Int
    let keyVersion: Int
    let destination: String
    let temporary: String
    let secret: [UInt8]
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    private var segment: UInt64 = 0
    public private(set) var size = 0
    private let digest = SHA256Stream()

    init(key: BlobKey, version: Int, keyVersion: Int, destination: String, secret: [UInt8]) throws {
        self.key = key
        self.version = version
        self.keyVersion = keyVersion
        self.destination = destination
        self.secret = secret
        let directory = (destination as NSString).deletingLastPathComponent
        temporary = directory + "/.tmp-\(Hex.encode(SecureRandom.bytes(8)))"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard
                FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw BlobError.writeFailed }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            var header = BlobStore.magic
            withUnsafeBytes(of: UInt32(keyVersion).bigEndian) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(BlobStore.segmentSize).bigEndian) { header.append(contentsOf: $0) }
            try handle?.write(contentsOf: header)
        } catch {
            abort()
            throw BlobError.writeFailed
        }
    }

    deinit {
        if handle != nil { abort() }
    }

    /// Appends plaintext; full segments are sealed and written at once.
    public func write(_ bytes: some Collection<UInt8>) throws {
        pending.append(contentsOf: bytes)
        size += bytes.count
        digest.update(bytes)
        while pending.count > BlobStore.segmentSize {
            try seal(Array(pending.prefix(BlobStore.segmentSize)), final: false)
            pending.removeFirst(BlobStore.segmentSize)
        }
    }

    /// Seals the last segment, syncs the file and moves it into place. Returns the plaintext's
    /// SHA-256 in hex.
    @discardableResult
    public func finish() throws -> String {
        try seal(pending, final: true)
        pending = []
        do {
            try handle?.synchronize()
            try handle?.close()
            handle = nil
            if FileManager.default.fileExists(atPath: destination) {
                try FileManager.default.removeItem(atPath: destination)
            }
            try FileManager.default.moveItem(atPath: temporary, toPath: destination)
        } catch {
            abort()
            throw BlobError.writeFailed
        }
        return Hex.encode(digest.finish())
    }

    /// Discards everything written; the destination is untouched.
    public func abort() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: temporary)
    }

    private func seal(_ plaintext: [UInt8], final: Bool) throws {
        let associated = BlobStore.associatedData(
            key, version: version, keyVersion: keyVersion, segment: segment, final: final)
        do {
            let box = try AESGCM.seal(plaintext, key: secret, authenticating: associated)
            try handle?.write(contentsOf: box.combined)
        } catch {
            abort()
            throw BlobError.writeFailed
        }
        segment += 1
    }
}

/// Reads one blob version, any byte range, decrypting and authenticating only the segments it touches.
public final class BlobReader {
    let key: BlobKey
    let version: Int
    public let keyVersion: Int
    let handle: FileHandle
    let secret: [UInt8]
    /// The plaintext length.
    public let size: Int
    let segments: Int

    init(key: BlobKey, version: Int, path: String, keys: BlobKeys) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BlobError.missing }
        self.handle = handle
        self.key = key
        self.version = version
        let header = ((try? handle.read(upToCount: BlobStore.headerSize)) ?? nil).map { Array($0) } ?? []
        guard header.count == BlobStore.headerSize, Array(header.prefix(4)) == BlobStore.magic,
            Self.uint32(header, at: 8) == BlobStore.segmentSize
        else { throw BlobError.tampered }
        keyVersion = Int(Self.uint32(header, at: 4))
        secret = keys.key(companyID: key.companyID, version: keyVersion)
        let fileSize = Int((try? handle.seekToEnd()) ?? 0)
        let body = fileSize - BlobStore.headerSize
        let overhead = AESGCM.nonceLength + AESGCM.tagLength
        // Every segment but the last is full; the last holds 0 to 64 KiB.
        let full = body / BlobStore.sealedSegmentSize
        let remainder = body % BlobStore.sealedSegmentSize
        if remainder == 0 {
            guard full > 0 else { throw BlobError.tampered }
            segments = full
            size = full * BlobStore.segmentSize
        } else {
            guard remainder >= overhead else { throw BlobError.tampered }
            segments = full + 1
            size = full * BlobStore.segmentSize + remainder - overhead
        }
    }

    deinit {
        try? handle.close()
    }

    /// The plaintext of segment `index`.
    func segment(_ index: Int) throws -> [UInt8] {
        let offset = BlobStore.headerSize + index * BlobStore.sealedSegmentSize
        let length =
            index == segments - 1
            ? size - index * BlobStore.segmentSize + AESGCM.nonceLength + AESGCM.tagLength
            : BlobStore.sealedSegmentSize
        do {
            try handle.seek(toOffset: UInt64(offset))
            guard let data = try handle.read(upToCount: length), data.count == length else {
                throw BlobError.tampered
            }
            let box = try AESGCM.SealedBox(combined: Array(data))
            let associated = BlobStore.associatedData(
                key, version: version, keyVersion: keyVersion, segment: UInt64(index), final: index == segments - 1)
            return try AESGCM.open(box, key: secret, authenticating: associated)
        } catch {
            throw BlobError.tampered
        }
    }

    /// The plaintext bytes in `range` (clamped to the blob).
    public func read(_ range: Range<Int>) throws -> [UInt8] {
        let lower = max(0, range.lowerBound)
        let upper = min(size, range.upperBound)
        guard lower < upper else { return [] }
        var output: [UInt8] = []
        output.reserveCapacity(upper - lower)
        for index in (lower / BlobStore.segmentSize)...((upper - 1) / BlobStore.segmentSize) {
            let plaintext = try segment(index)
            let start = index * BlobStore.segmentSize
            let from = max(lower, start) - start
            let to = min(upper, start + plaintext.count) - start
            output.append(contentsOf: plaintext[from..<to])
        }
        return output
    }

    /// Every segment's plaintext in order, one at a time.
    public func forEachSegment(_ body: ([UInt8]) throws -> Void) throws {
        for index in 0..<segments { try body(try segment(index)) }
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

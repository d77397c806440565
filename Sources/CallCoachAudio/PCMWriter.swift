#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes samples to a raw file as little-endian signed 16-bit PCM, readable only by the owner.
final class PCMWriter {
    let path: String
    private(set) var sampleCount = 0
    private var descriptor: Int32
    private var bytes: [UInt8] = []

    init(path: String) throws(AudioError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AudioError(.outputFailed) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends samples in −1…1; values outside are clipped.
    func append(_ samples: [Float]) throws(AudioError) {
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(samples.count * 2)
        for sample in samples {
            let value = UInt16(bitPattern: Int16((min(1, max(-1, sample)) * 32_767).rounded())).littleEndian
            bytes.append(UInt8(truncatingIfNeeded: value))
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        try writeAll()
        sampleCount += samples.count
    }

    /// Closes the file; a failure here can mean the data never reached the disk.
    func finish() throws(AudioError) {
        let result = close(descriptor)
        descriptor = -1
        guard result == 0 else { throw AudioError(.outputFailed) }
    }

    /// Removes the file, for a preparation that failed part-way.
    func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(path)
    }

    private func writeAll() throws(AudioError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw AudioError(.outputFailed) }
            offset += written
        }
    }
}

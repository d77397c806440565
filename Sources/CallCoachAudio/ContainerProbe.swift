#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks a file's leading bytes before libsndfile sees it: not empty, a known format, and for WAV a
/// data chunk no longer than the file. libsndfile silently shortens a truncated WAV to what is present.
struct ContainerProbe {
    let format: AudioFormat

    init(descriptor: Int32) throws(AudioError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw AudioError(.unreadable) }
        let size = Int64(status.st_size)
        guard size > 0 else { throw AudioError(.emptyFile) }

        guard let format = AudioFormat.sniff(Self.bytes(descriptor, at: 0, count: AudioFormat.sniffLength)) else {
            throw AudioError(.unsupportedFormat)
        }
        self.format = format
        if format == .wav, Self.wavDataIsTruncated(descriptor, fileSize: size) {
            throw AudioError(.truncated)
        }
    }

    /// Walks the RIFF chunks to `data` and compares its declared size with the bytes that follow.
    /// Sizes of 0 and 0xFFFFFFFF are what streaming recorders write before they know the length.
    private static func wavDataIsTruncated(_ descriptor: Int32, fileSize: Int64) -> Bool {
        var offset: Int64 = 12
        for _ in 0..<64 {
            let header = bytes(descriptor, at: offset, count: 8)
            guard header.count == 8 else { return false }
            let size = Int64(header[4]) | Int64(header[5]) << 8 | Int64(header[6]) << 16 | Int64(header[7]) << 24
            if header[0..<4].elementsEqual("data".utf8) {
                guard size != 0, size != 0xFFFF_FFFF else { return false }
                return size > fileSize - (offset + 8)
            }
            offset += 8 + size + (size & 1)
        }
        return false
    }

    private static func bytes(_ descriptor: Int32, at offset: Int64, count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        return Array(buffer.prefix(max(0, got)))
    }
}

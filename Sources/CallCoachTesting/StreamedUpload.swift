import CallCoachAudio
import Foundation

/// Sends a large call upload over real HTTPS without ever holding it: a WAV header, then
/// `audioBytes` of generated samples written one mebibyte at a time.
///
/// The test of bounded upload memory and the upload benchmark both use it, so the client's own
/// footprint stays a few mebibytes whatever the size.
public struct StreamedUpload: Sendable {
    public static let boundary = "----callcoach-stream-7c41"

    public let companyID: String
    public let accessToken: String
    public let audioBytes: Int

    public init(companyID: String, accessToken: String, audioBytes: Int) {
        self.companyID = companyID
        self.accessToken = accessToken
        self.audioBytes = audioBytes
    }

    /// Sends the upload to `127.0.0.1:port` and returns the server's answer.
    public func send(port: UInt16) throws -> WireResponse {
        let head =
            Array(
                ("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                    + "Content-Type: application/json\r\n\r\n{\"direction\":\"inbound\"}\r\n"
                    + "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"big.wav\"\r\n"
                    + "Content-Type: audio/wav\r\n\r\n").utf8)
            + WAVHeader.pcm16(sampleRate: 8000, channels: 1, dataBytes: audioBytes)
        let tail = Array("\r\n--\(Self.boundary)--\r\n".utf8)
        let client = try WireClient(port: port, tls: .modern, timeoutSeconds: 120)
        defer { client.close() }
        try client.write(
            "POST /api/v1/companies/\(companyID)/calls HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer \(accessToken)\r\n"
                + "Content-Type: multipart/form-data; boundary=\(Self.boundary)\r\n"
                + "Content-Length: \(head.count + audioBytes + tail.count)\r\n\r\n")
        try client.write(head)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var sent = 0
        while sent < audioBytes {
            let count = min(chunk.count, audioBytes - sent)
            // A quiet 16-bit sawtooth, different in every chunk: nothing compresses or repeats.
            for index in stride(from: 0, to: count, by: 2) {
                chunk[index] = UInt8(truncatingIfNeeded: (sent + index) >> 9)
            }
            try client.write(count == chunk.count ? chunk : Array(chunk[..<count]))
            sent += count
        }
        try client.write(tail)
        return try client.readResponse()
    }

    /// The peak resident memory of a process (`VmHWM`), in bytes, from `/proc`.
    public static func peakResidentBytes(processID: Int32? = nil) -> Int? {
        let path = "/proc/\(processID.map(String.init) ?? "self")/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}

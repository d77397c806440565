import CallCoachHTTP
@testable import CallCoachServer
import CallCoachStore
import CallCoachTesting
import Foundation
import Testing

/// One part of a multipart upload.
struct UploadPart {
    let name: String
    var filename: String?
    var contentType: String?
    let body: [UInt8]

    static func metadata(_ json: String) -> UploadPart {
        UploadPart(name: "metadata", contentType: "application/json", body: Array(json.utf8))
    }

    static func transcript(_ text: String, filename: String = "call.json", type: String = "application/json")
        -> UploadPart
    {
        UploadPart(name: "transcript", filename: filename, contentType: type, body: Array(text.utf8))
    }

    static func audio(_ bytes: [UInt8], filename: String = "call.wav") -> UploadPart {
        UploadPart(name: "audio", filename: filename, contentType: "application/octet-stream", body: bytes)
    }
}

enum Multipart {
    static let boundary = "----callcoach-test-5f1e2d"

    static func body(_ parts: [UploadPart], close: Bool = true) -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            body += Array((head + "\r\n").utf8) + part.body + Array("\r\n".utf8)
        }
        if close { body += Array("--\(boundary)--\r\n".utf8) }
        return body
    }

    static var headers: HTTPHeaders { ["Content-Type": "multipart/form-data; boundary=\(boundary)"] }
}

/// A short two-party exchange with hand-checkable times.
let sampleTranscript = #"""
    {"speakers":[{"id":"a","role":"agent"},{"id":"c","role":"customer"}],
     "utterances":[
      {"speaker":"a","start":0.0,"end":4.0,"text":"Thank you for calling, this call may be recorded. How can I help?"},
      {"speaker":"c","start":4.5,"end":9.0,"text":"Hi, my card was charged twice and I am frustrated."},
      {"speaker":"a","start":9.5,"end":14.0,"text":"I am sorry about that. Let me look at your account right now."},
      {"speaker":"c","start":18.0,"end":20.0,"text":"Thank you, that is great."}
     ]}
    """#

/// Real recordings for the pipeline tests, made with espeak-ng and sox.
enum AudioFixtures {
    static func run(_ arguments: [String]) throws {
        try runTool(arguments[0], Array(arguments.dropFirst()))
    }

    /// A stereo call: the agent speaks on the left from 0 s, the customer on the right after a pause.
    static func stereoCall(in directory: TemporaryDirectory, rate: Int = 16_000) throws -> String {
        let agent = directory.file("agent.wav")
        let customer = directory.file("customer.wav")
        try run(["espeak-ng", "-v", "en-us", "-w", agent, "Thank you for calling. How can I help you today?"])
        try run(["espeak-ng", "-v", "en-gb", "-w", customer, "My card was charged twice last week."])
        let left = directory.file("left.wav")
        let right = directory.file("right.wav")
        // Agent: speech then silence; customer: 5 s of silence, then speech.
        try run(["sox", agent, "-r", "\(rate)", left, "pad", "0", "6"])
        try run(["sox", customer, "-r", "\(rate)", right, "pad", "5", "2"])
        let stereo = directory.file("call.wav")
        try run(["sox", "-M", left, right, stereo])
        return stereo
    }

    static func monoTelephoneCall(in directory: TemporaryDirectory) throws -> String {
        let speech = directory.file("mono-speech.wav")
        try run(["espeak-ng", "-w", speech, "Hello, I would like to cancel my subscription please."])
        let mono = directory.file("mono.wav")
        try run(["sox", speech, "-r", "8000", "-c", "1", mono, "pad", "1", "1"])
        return mono
    }
}

extension LiveServer {
    /// Runs queued jobs with a worker of this server until none is due.
    func drainQueue(worker id: String = "test-worker") async throws {
        let worker = Worker(
            id: id, database: runtime.database, pipeline: runtime.processing.pipeline, logger: runtime.logger,
            metrics: runtime.metrics, clock: runtime.identity.clock)
        while try await worker.runOnce() {}
    }
}

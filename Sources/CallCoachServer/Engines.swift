import CallCoachEmbeddings
import CallCoachSpeech
import CallCoachTelemetry
import Foundation
import Synchronization

/// The embedded engines of a process, loaded from the models directory on first use and shared
/// by every worker: a whisper.cpp model per name, and the sentence encoder. One set exists per
/// directory and thread count, however many servers a process runs (the test suite runs many).
public final class Engines: Sendable {
    /// The Whisper models `scripts/install-speech` can install; the first is the default.
    public static let whisperModels = ["tiny.en", "base"]
    public static let embeddingModel = "all-MiniLM-L6-v2"

    public let directory: String
    public let threads: Int
    private let whisper = Mutex<[String: WhisperModel]>([:])
    private let encoder = Mutex<Result<SentenceEncoder, EmbeddingError>?>(nil)
    private let encoderBytes = Atomic<Int>(0)

    private static let shared = Mutex<[String: Engines]>([:])

    /// The process's engines for `directory`.
    public static func shared(directory: String, threads: Int) -> Engines {
        shared.withLock { all in
            let key = "\(threads):\(directory)"
            if let engines = all[key] { return engines }
            let engines = Engines(directory: directory, threads: threads)
            all[key] = engines
            return engines
        }
    }

    init(directory: String, threads: Int) {
        self.directory = directory
        self.threads = threads
    }

    public func whisperPath(_ model: String) -> String { "\(directory)/ggml-\(model).bin" }

    /// Whether a Whisper model's file is present and sound.
    public func isInstalled(_ model: String) -> Bool {
        Self.whisperModels.contains(model) && WhisperModel.check(whisperPath(model)) == nil
    }

    /// The shared model of that name; it loads on its first recognition.
    public func whisperModel(_ name: String) -> WhisperModel {
        whisper.withLock { models in
            if let model = models[name] { return model }
            let model = WhisperModel(name: name, path: whisperPath(name), threads: threads)
            models[name] = model
            return model
        }
    }

    /// The sentence encoder, loaded on first use. A failed load is not kept: once the operator
    /// installs the model, the next call loads it, as `/readyz` already says.
    public func sentenceEncoder() throws(EmbeddingError) -> SentenceEncoder {
        let result = encoder.withLock { cached in
            if let cached = cached.flatMap({ try? $0.get() }) {
                return Result<SentenceEncoder, EmbeddingError>.success(cached)
            }
            let before = WhisperModel.residentSetBytes()
            let loaded = Result { () throws(EmbeddingError) in
                try SentenceEncoder(directory: directory + "/" + Self.embeddingModel)
            }
            if case .success = loaded {
                encoderBytes.store(max(0, WhisperModel.residentSetBytes() - before), ordering: .relaxed)
                cached = loaded
            }
            return loaded
        }
        return try result.get()
    }

    /// What stops the default engines from working, worded for the operator; empty when they can.
    /// Cheap: it reads file headers, not whole models.
    public func problems() -> [String] {
        var problems: [String] = []
        if let problem = WhisperModel.check(whisperPath(Self.whisperModels[0])) { problems.append(problem) }
        let folder = directory + "/" + Self.embeddingModel
        do {
            _ = try SafeTensors(path: folder + "/model.safetensors")
        } catch {
            problems.append(error.description)
        }
        if !FileManager.default.isReadableFile(atPath: folder + "/vocab.txt") {
            problems.append("the vocabulary file \(folder)/vocab.txt is missing")
        }
        return problems
    }

    /// Memory each loaded engine added to the process, for `/metrics`.
    public func memory() -> [(engine: String, bytes: Int)] {
        var figures = whisper.withLock { $0.values.map { ("whisper:\($0.name)", $0.loadedBytes) } }
        let encoderLoaded = encoder.withLock { (try? $0?.get()) != nil }
        if encoderLoaded {
            figures.append(("embeddings:\(Self.embeddingModel)", encoderBytes.load(ordering: .relaxed)))
        }
        return figures.sorted { $0.0 < $1.0 }
    }

    /// Logs every problem at start, so the operator reads why readiness fails; with
    /// `--production`, a problem stops the start instead.
    func requireUsable(_ configuration: Configuration, logger: Logger) throws {
        let problems = problems()
        if configuration.production, let first = problems.first {
            throw ConfigurationError("\(first); run scripts/install-speech, or give --models-dir")
        }
        for problem in problems {
            logger.error(
                "engines.unavailable", "an embedded engine cannot load; run scripts/install-speech",
                [.reason: .string(problem)])
        }
    }
}

extension Configuration {
    /// The process's engines for this configuration's models directory.
    public var engines: Engines { Engines.shared(directory: modelsDirectory, threads: transcriptionThreads) }
}

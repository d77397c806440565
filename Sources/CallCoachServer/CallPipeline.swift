import CallCoachAnalysis
import CallCoachAudio
import CallCoachCore
import CallCoachEmbeddings
import CallCoachHTTP
import CallCoachScoring
import CallCoachSpeech
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// What a processing stage reports when it cannot finish: `permanent` failures (corrupt audio,
/// a transcript that cannot be used) go straight to the dead letters; others are retried.
struct PipelineFailure: Error {
    let reason: String
    let permanent: Bool
}

/// The analysis stored with a ready call: the conversation metrics and how the call was heard.
struct CallReport: Codable, Sendable {
    struct AudioSummary: Codable, Sendable {
        let format: String
        let originalSampleRate: Int
        let originalChannels: Int
        /// One channel: the parties are not separated, so per-party figures describe both together.
        let mono: Bool
        let speechSeconds: [String: Double]
    }

    let metrics: ConversationReport
    let audio: AudioSummary?
    /// Who produced the words: `import` (an uploaded transcript), a provider's name, or `none`
    /// (voice activity only: talk-time figures without words).
    let transcriber: String
    let notes: [String]
}

/// Turns a queued call into a ready one: decode, split channels, find speech, transcribe, analyze.
/// Every stage is idempotent, so a job that runs twice (a worker killed mid-job) ends the same.
struct CallPipeline: Sendable {
    let database: any Database
    let blobs: BlobStore
    let ai: AISettings
    let workDirectory: String
    /// The address e-mailed links start with (the public URL).
    var links = "https://localhost:8443"
    let logger: Logger
    let metrics: Metrics
    let clock: @Sendable () -> Date

    func process(_ job: Job) async throws {
        let scope = TenantScope.system(companyID: job.companyID)
        if job.kind == Self.rescoreJob {
            try await rescore(scope, job)
            return
        }
        guard
            let call = try await database.read(
                scope.context, { try CallRecords(scope: scope).call(id: job.subject, $0) })
        else {
            logger.warning("pipeline.call_missing", "the job's call no longer exists", [.jobID: .string(job.id)])
            return
        }
        // Read once: the packs decide what is redacted, and check the call at the end.
        let packs = try await ComplianceRoutes.enabledPacks(scope, database)
        switch call.source {
        case .transcript:
            try await setStatus(scope, call, .analyzing, 60)
            let (transcript, redactions) = Redactor.redact(
                try await storedTranscript(scope, call), health: Self.redactsHealthData(packs))
            let duration = transcript.utterances.map(\.end).max() ?? 0
            let report = CallReport(
                metrics: ConversationAnalyzer.analyze(transcript, callDuration: duration), audio: nil,
                transcriber: "import", notes: Self.notes(redactions))
            // An upload that held card data is replaced by its redacted version, and is not kept.
            try await finish(
                scope, call, duration: duration, report: report, transcript: transcript, redactions: redactions,
                packs: packs, store: !redactions.isEmpty, purge: !redactions.isEmpty)
        case .audio:
            try await processAudio(scope, call, job: job, packs: packs)
        }
    }

    private func processAudio(_ scope: TenantScope, _ call: Call, job: Job, packs: [CompliancePack]) async throws {
        try await setStatus(scope, call, .decoding, 10)
        let folder = "\(workDirectory)/\(job.id)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = "\(folder)/source.\(call.mediaFormat)"
        try await decrypt(scope, call, to: source)
        var map: ChannelMap?
        if let channels = call.channelMap {
            do {
                map = try ChannelMap(channels)
            } catch {
                throw PipelineFailure(reason: error.message, permanent: true)
            }
        }
        let prepared: PreparedAudio
        do {
            prepared = try prepare(path: source, channelMap: map, pcmDirectory: folder)
        } catch {
            throw PipelineFailure(reason: error.message, permanent: true)
        }
        try await setStatus(scope, call, .transcribing, 40)
        let transcript: Transcript
        let transcriberName: String
        if let transcriber = try await ai.transcriber(scope) {
            transcriberName = transcriber.name
            do {
                transcript = try await ChannelTranscription(transcriber: transcriber).transcribe(prepared) { share in
                    // 40 % when transcription starts, 80 % when it ends.
                    try? await setStatus(scope, call, .transcribing, 40 + Int(share * 40))
                }
            } catch {
                throw PipelineFailure(reason: error.reason, permanent: !error.retryable)
            }
        } else {
            transcriberName = "none"
            transcript = Self.voiceActivityTranscript(prepared)
        }
        try await setStatus(scope, call, .analyzing, 80)
        let (redacted, redactions) = Redactor.redact(transcript, health: Self.redactsHealthData(packs))
        if !redactions.isEmpty { try await replaceRecording(scope, call, prepared, silencing: redactions) }
        let report = Self.report(prepared, transcript: redacted, transcriber: transcriberName, redactions: redactions)
        try await finish(
            scope, call, duration: prepared.duration, report: report, transcript: redacted, redactions: redactions,
            packs: packs, store: true, purge: !redactions.isEmpty)
    }

    /// Whether the company runs the HIPAA identifiers pack, whose identifiers are redacted too.
    static func redactsHealthData(_ packs: [CompliancePack]) -> Bool {
        packs.contains { $0.id == "hipaa-identifiers" }
    }

    /// What the report says of redacted data.
    static func notes(_ redactions: [Redaction]) -> [String] {
        guard !redactions.isEmpty else { return [] }
        let kinds = Redaction.Kind.allCases.filter { kind in redactions.contains { $0.kind == kind } }
        return [
            "Redacted: \(kinds.map(\.rawValue).joined(separator: ", ")) (\(redactions.count) "
                + "span\(redactions.count == 1 ? "" : "s")). The transcript and recording are kept only redacted."
        ]
    }

    /// The report of a decoded recording with the transcript made of it.
    static func report(
        _ prepared: PreparedAudio, transcript: Transcript, transcriber: String, redactions: [Redaction] = []
    ) -> CallReport {
        var notes: [String] = []
        if prepared.isMono {
            notes.append("The recording is mono: one channel, so the parties are not separated.")
        }
        if transcriber == "none" {
            notes.append("No speech recognizer is configured: talk-time figures come from voice activity alone.")
        }
        let summary = CallReport.AudioSummary(
            format: prepared.format.rawValue, originalSampleRate: prepared.originalSampleRate,
            originalChannels: prepared.originalChannelCount, mono: prepared.isMono,
            speechSeconds: Dictionary(
                prepared.channels.map { ($0.role.rawValue, ($0.speechDuration * 10).rounded() / 10) },
                uniquingKeysWith: +))
        return CallReport(
            metrics: ConversationAnalyzer.analyze(transcript, callDuration: prepared.duration), audio: summary,
            transcriber: transcriber, notes: notes + Self.notes(redactions))
    }

    /// A transcript without words: each speech segment of each channel becomes a turn of that
    /// channel's party, with its loudness. A mono channel counts as the agent's.
    static func voiceActivityTranscript(_ audio: PreparedAudio) -> Transcript {
        var utterances: [Utterance] = []
        var speakers: [Speaker] = []
        for channel in audio.channels {
            let role: CallCoachAnalysis.SpeakerRole = channel.role == .customer ? .customer : .agent
            let id = channel.role.rawValue
            speakers.append(Speaker(id: id, role: role))
            for segment in channel.segments {
                utterances.append(
                    Utterance(
                        id: "", speaker: id, start: segment.start, end: segment.end, text: "",
                        loudness: segment.loudness))
            }
        }
        utterances.sort { ($0.start, $0.speaker) < ($1.start, $1.speaker) }
        for index in utterances.indices { utterances[index].id = "u\(index + 1)" }
        return Transcript(speakers: speakers, utterances: utterances)
    }

    /// Writes the call's decrypted audio to `path` segment by segment.
    private func decrypt(_ scope: TenantScope, _ call: Call, to path: String) async throws {
        guard let key = BlobKey(scope: scope, collection: "audio", id: call.id),
            let version = try await database.read(scope.context, { try BlobVersions(scope: scope).current(key, $0) })
        else { throw PipelineFailure(reason: "the uploaded audio is missing", permanent: true) }
        do {
            let reader = try blobs.reader(key, version: version)
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                let handle = FileHandle(forWritingAtPath: path)
            else { throw PipelineFailure(reason: "the work directory is not writable", permanent: false) }
            defer { try? handle.close() }
            try reader.forEachSegment { try handle.write(contentsOf: $0) }
        } catch BlobError.tampered {
            throw PipelineFailure(reason: "the stored audio failed its integrity check", permanent: true)
        }
    }

    func storedTranscript(_ scope: TenantScope, _ call: Call) async throws -> Transcript {
        guard let key = BlobKey(scope: scope, collection: "transcripts", id: call.id),
            let version = try await database.read(scope.context, { try BlobVersions(scope: scope).current(key, $0) })
        else { throw PipelineFailure(reason: "the uploaded transcript is missing", permanent: true) }
        return try transcript(key, version: version)
    }

    /// One stored version of a transcript, decrypted and decoded. An upload that cannot be read
    /// never will be (`permanent`); one just written that cannot be read back is worth a retry.
    func transcript(_ key: BlobKey, version: Int, permanent: Bool = true) throws -> Transcript {
        do {
            let reader = try blobs.reader(key, version: version)
            return try JSON.decode(Transcript.self, from: try reader.read(0..<reader.size))
        } catch {
            throw PipelineFailure(reason: "the stored transcript could not be read", permanent: permanent)
        }
    }

    private func setStatus(_ scope: TenantScope, _ call: Call, _ status: CallStatus, _ progress: Int) async throws {
        let now = clock()
        try await database.write(scope.context) {
            try CallRecords(scope: scope).update(id: call.id, status: status, progress: progress, at: now, $0)
        }
    }

    /// Embeds the transcript's utterances, stores the transcript (a new blob version, unless it is
    /// the uploaded one), the vectors and the report, and marks the call ready.
    private func finish(
        _ scope: TenantScope, _ call: Call, duration: Double, report: CallReport, transcript: Transcript,
        redactions: [Redaction], packs: [CompliancePack], store: Bool, purge: Bool
    ) async throws {
        let embeddings = try await embed(transcript)
        let now = clock()
        let reportText = String(decoding: try JSON.encode(report), as: UTF8.self)
        var written: (key: BlobKey, version: Int, keyVersion: Int, size: Int, sha: String)?
        if store, let key = BlobKey(scope: scope, collection: "transcripts", id: call.id) {
            let (version, keyVersion) = try await database.read(scope.context) { connection in
                (
                    try BlobVersions(scope: scope).nextVersion(key, connection),
                    try BlobMaintenance.currentKeyVersion(connection)
                )
            }
            let bytes = Array(try JSON.encode(transcript))
            let writer = try blobs.writer(key, version: version, keyVersion: keyVersion)
            try writer.write(bytes)
            written = (key, version, keyVersion, bytes.count, try writer.finish())
        }
        let blob = written
        // Evidence is checked against the transcript as stored, read back from the encrypted store.
        let stored = try blob.map { try self.transcript($0.key, version: $0.version, permanent: false) } ?? transcript
        let (evaluations, findings) = try await score(
            scope, call, transcript: transcript, stored: stored, metrics: report.metrics, redactions: redactions,
            packs: packs, embeddings: embeddings, at: now)
        let links = self.links
        let purged = try await database.write(scope.context) { connection -> [Int] in
            let earlier = try ComplianceRecords(scope: scope).findings(callID: call.id, connection)
            let firstEvaluation = try ScorecardRecords(scope: scope).evaluations(callID: call.id, connection).isEmpty
            for evaluation in evaluations { try ScorecardRecords(scope: scope).record(evaluation, connection) }
            try ComplianceRecords(scope: scope).replace(callID: call.id, findings, connection)
            try Notifications.afterScoring(
                scope, call: call, findings: findings, earlierFindings: earlier,
                firstEvaluation: firstEvaluation && !evaluations.isEmpty, links: links, connection)
            if let blob {
                try BlobVersions(scope: scope).record(
                    blob.key, version: blob.version, keyVersion: blob.keyVersion, size: blob.size, sha256: blob.sha,
                    at: now, connection)
            }
            try CallEmbeddings(scope: scope).replace(
                callID: call.id, model: Engines.embeddingModel, embeddings, at: now, connection)
            try CallRecords(scope: scope).complete(
                id: call.id, duration: duration, report: reportText, at: now, connection)
            guard purge, let blob else { return [] }
            let versions = BlobVersions(scope: scope)
            let older = try versions.versions(blob.key, connection).filter { $0 != blob.version }
            for version in older { try versions.forget(blob.key, version: version, connection) }
            return older
        }
        if let key = written?.key { for version in purged { blobs.remove(key, version: version) } }
        metrics.increment("callcoach_calls_ready_total")
        logger.info("call.ready", "", [.companyID: .string(scope.companyID), .callID: .string(call.id)])
    }
}

extension CallPipeline {
    /// One vector per utterance, or per chunk of at most 128 tokens of a long one, computed off
    /// the cooperative pool. The transcript given is already redacted, so no vector is made of
    /// card or health data.
    func embed(_ transcript: Transcript) async throws -> [UtteranceEmbedding] {
        let texts = transcript.utterances.filter { !$0.text.isEmpty }
        guard !texts.isEmpty else { return [] }
        let encoder: SentenceEncoder
        do {
            encoder = try ai.engines.sentenceEncoder()
        } catch {
            throw PipelineFailure(reason: "the sentence-embedding model cannot load: \(error)", permanent: true)
        }
        var keys: [(utterance: String, chunk: Int)] = []
        var tokens: [[Int32]] = []
        for utterance in texts {
            for (index, chunk) in encoder.chunks(of: utterance.text).enumerated() {
                keys.append((utterance.id, index))
                tokens.append(chunk)
            }
        }
        let batch = tokens
        let vectors = try await BlockingWork.run { encoder.embed(tokens: batch) }
        return zip(keys, vectors).map { UtteranceEmbedding(utteranceID: $0.utterance, chunk: $0.chunk, vector: $1) }
    }
}

extension CallPipeline {
    /// A job that scores one ready call again with a scorecard's newest version; its subject is
    /// `CALL_ID SCORECARD_ID`.
    static let rescoreJob = "rescore"

    /// Scores the call again from what is stored (the redacted transcript, the report's metrics,
    /// the vectors), carries people's answers over, and records what changed.
    func rescore(_ scope: TenantScope, _ job: Job) async throws {
        let parts = job.subject.split(separator: " ").map(String.init)
        guard parts.count == 2 else {
            throw PipelineFailure(reason: "the re-scoring job is malformed", permanent: true)
        }
        let (callID, scorecardID) = (parts[0], parts[1])
        let loaded = try await database.read(scope.context) { connection in
            (
                try CallRecords(scope: scope).call(id: callID, connection),
                try CallRecords(scope: scope).report(id: callID, connection),
                try ScorecardRecords(scope: scope).versions(id: scorecardID, connection),
                try ScorecardRecords(scope: scope).evaluation(callID: callID, scorecardID: scorecardID, connection),
                try CallEmbeddings(scope: scope).embeddings(callID: callID, connection).map(\.embedding)
            )
        }
        guard let call = loaded.0, call.status == .ready, let reportText = loaded.1, let current = loaded.2.first,
            let card = current.scorecard,
            let report = try? JSON.decode(CallReport.self, from: Array(reportText.utf8))
        else {
            logger.info("rescore.skipped", "the call or scorecard is gone or not ready", [.jobID: .string(job.id)])
            return
        }
        let transcript = try await storedTranscript(scope, call)
        let context = CallContext(
            transcript: transcript, report: report.metrics, redactions: Redactor.markers(in: transcript),
            startedAt: call.startedAt, timeZone: call.customerTimeZone)
        let evaluator = RuleEvaluator(context: context, semantic: semanticMatcher(loaded.4))
        var evaluation = try await askLLM(scope, card, Scorer.evaluate(card, with: evaluator), transcript: transcript)
        if let stored = loaded.3, let previous = stored.evaluation {
            let previousCard = loaded.2.first { $0.version == stored.scorecardVersion }?.scorecard
            evaluation = Rescoring.carryOver(previous, into: evaluation, card: card, previousCard: previousCard)
            evaluation.rescored = Rescoring.diff(from: previous, version: stored.scorecardVersion, to: evaluation)
        }
        let now = clock()
        let result = String(decoding: try JSON.encode(evaluation), as: UTF8.self)
        let total = evaluation.total
        let complete = evaluation.complete
        try await database.write(scope.context) { connection in
            try ScorecardRecords(scope: scope).record(
                StoredEvaluation(
                    callID: callID, scorecardID: scorecardID, scorecardVersion: current.version, total: total,
                    complete: complete, result: result, createdAt: now), connection)
        }
    }

    /// Replaces the uploaded recording with a 16 kHz WAV of the decoded channels in which every
    /// redacted span (with a quarter second either side) is silence; every earlier version is
    /// deleted at once. Written channel by channel in one-second blocks, so memory stays flat.
    func replaceRecording(
        _ scope: TenantScope, _ call: Call, _ audio: PreparedAudio, silencing redactions: [Redaction]
    ) async throws {
        guard let key = BlobKey(scope: scope, collection: "audio", id: call.id) else { return }
        let rate = SpeechClip.sampleRate
        let channels = audio.channels.sorted { $0.index < $1.index }
        let frames = channels.map(\.sampleCount).max() ?? 0
        let silent: [[Range<Int>]] = channels.map { channel in
            redactions.filter { $0.speaker == channel.role.rawValue }.map { redaction in
                let start = max(0, Int((redaction.start - 0.25) * Double(rate)))
                return start..<max(start, min(frames, Int(((redaction.end + 0.25) * Double(rate)).rounded(.up))))
            }
        }
        let (version, keyVersion) = try await database.read(scope.context) { connection in
            (
                try BlobVersions(scope: scope).nextVersion(key, connection),
                try BlobMaintenance.currentKeyVersion(connection)
            )
        }
        let writer = try blobs.writer(key, version: version, keyVersion: keyVersion)
        let sha: String
        let size = 44 + frames * channels.count * 2
        do {
            try writer.write(
                WAVHeader.pcm16(sampleRate: rate, channels: channels.count, dataBytes: frames * channels.count * 2))
            let handles = try channels.map { channel -> FileHandle in
                guard let handle = FileHandle(forReadingAtPath: channel.pcmPath) else {
                    throw PipelineFailure(reason: "the decoded audio could not be read", permanent: false)
                }
                return handle
            }
            defer { for handle in handles { try? handle.close() } }
            var first = 0
            while first < frames {
                let count = min(rate, frames - first)
                var block = [UInt8](repeating: 0, count: count * channels.count * 2)
                let width = channels.count
                for (slot, handle) in handles.enumerated() {
                    var bytes = [UInt8](try handle.read(upToCount: count * 2) ?? Data())
                    if bytes.count < count * 2 { bytes += [UInt8](repeating: 0, count: count * 2 - bytes.count) }
                    for range in silent[slot] where range.overlaps(first..<(first + count)) {
                        for position in max(range.lowerBound, first)..<min(range.upperBound, first + count) {
                            bytes[(position - first) * 2] = 0
                            bytes[(position - first) * 2 + 1] = 0
                        }
                    }
                    block.withUnsafeMutableBufferPointer { out in
                        bytes.withUnsafeBufferPointer { channel in
                            for frame in 0..<count {
                                out[(frame * width + slot) * 2] = channel[frame * 2]
                                out[(frame * width + slot) * 2 + 1] = channel[frame * 2 + 1]
                            }
                        }
                    }
                }
                try writer.write(block)
                first += count
            }
            sha = try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        let now = clock()
        let older = try await database.write(scope.context) { connection -> [Int] in
            let versions = BlobVersions(scope: scope)
            try versions.record(
                key, version: version, keyVersion: keyVersion, size: size, sha256: sha, at: now, connection)
            let older = try versions.versions(key, connection).filter { $0 != version }
            for old in older { try versions.forget(key, version: old, connection) }
            try CallRecords(scope: scope).setMediaFormat(id: call.id, "wav", connection)
            return older
        }
        for old in older { blobs.remove(key, version: old) }
        logger.info(
            "call.redacted", "",
            [.companyID: .string(scope.companyID), .callID: .string(call.id), .count: .int(redactions.count)])
    }

    /// The call scored with each of its company's active scorecards, and checked against each of
    /// its enabled compliance packs. Semantic rules use the call's sentence embeddings; without
    /// them, the lexical fallback.
    func score(
        _ scope: TenantScope, _ call: Call, transcript: Transcript, stored: Transcript,
        metrics report: ConversationReport, redactions: [Redaction], packs: [CompliancePack],
        embeddings: [UtteranceEmbedding], at time: Date
    ) async throws -> ([StoredEvaluation], [StoredFinding]) {
        let cards = try await database.read(scope.context) { try ScorecardRecords(scope: scope).current($0) }
            .filter(\.active)
        guard !cards.isEmpty || !packs.isEmpty else { return ([], []) }
        var prior: [PriorCall] = []
        if !packs.isEmpty, let phone = call.customerPhone, let startedAt = call.startedAt {
            // A month back covers every cross-call window the packs use.
            let earlier = try await database.read(scope.context) {
                try CallRecords(scope: scope).calls(
                    customerPhone: phone, debtID: call.debtID, since: startedAt.addingTimeInterval(-31 * 86_400),
                    before: startedAt, excluding: call.id, $0)
            }
            prior = earlier.map { earlier in
                let spoke = earlier.report.flatMap { try? JSON.decode(CallReport.self, from: Array($0.utf8)) }.map {
                    $0.metrics.customer.talkTime.value > 0
                }
                return PriorCall(startedAt: earlier.startedAt, conversation: spoke ?? false)
            }
        }
        let context = CallContext(
            transcript: transcript, report: report, redactions: redactions, startedAt: call.startedAt,
            timeZone: call.customerTimeZone, priorCalls: prior)
        let evaluator = RuleEvaluator(context: context, semantic: semanticMatcher(embeddings))
        let batch = cards
        let scored = try await BlockingWork.run {
            let findings = try packs.flatMap { pack in
                try CompliancePacks.findings(pack, with: evaluator, verifyingAgainst: stored, now: time).map {
                    finding in
                    StoredFinding(
                        callID: call.id, packID: pack.id, ruleID: finding.ruleID, packVersion: pack.version,
                        severity: finding.severity.rawValue,
                        finding: String(decoding: try JSON.encode(finding), as: UTF8.self),
                        followUpDue: finding.followUpDue, createdAt: time)
                }
            }
            let evaluations = batch.compactMap { card -> (StoredScorecard, Scorecard, CallEvaluation)? in
                // A stored definition was checked when saved; one that no longer parses is skipped.
                guard let definition = card.scorecard else {
                    logger.warning(
                        "scorecard.unreadable", "a stored scorecard no longer parses; the call is not scored with it",
                        [.companyID: .string(scope.companyID), .callID: .string(call.id)])
                    return nil
                }
                return (card, definition, Scorer.evaluate(definition, with: evaluator, verifyingAgainst: stored))
            }
            return (evaluations, findings)
        }
        var results: [StoredEvaluation] = []
        for (card, definition, automatic) in scored.0 {
            let evaluation = try await askLLM(scope, definition, automatic, transcript: stored)
            results.append(
                StoredEvaluation(
                    callID: call.id, scorecardID: card.id, scorecardVersion: card.version, total: evaluation.total,
                    complete: evaluation.complete, result: String(decoding: try JSON.encode(evaluation), as: UTF8.self),
                    createdAt: time))
        }
        return (results, scored.1)
    }

    /// Semantic rules on the call's sentence embeddings; the lexical fallback when it has none.
    func semanticMatcher(_ embeddings: [UtteranceEmbedding]) -> any SemanticMatcher {
        guard !embeddings.isEmpty, let encoder = try? ai.engines.sentenceEncoder() else { return LexicalMatcher() }
        return EmbeddingMatcher(encoder: encoder, embeddings: embeddings)
    }

    /// Puts the card's pending LLM criteria to the company's chat-completions provider, when one
    /// is configured; an answer it cannot show with verbatim quotes goes to review. A provider that
    /// fails leaves its criteria pending (and says so in the log), and the call is still scored.
    func askLLM(_ scope: TenantScope, _ card: Scorecard, _ evaluation: CallEvaluation, transcript: Transcript)
        async throws -> CallEvaluation
    {
        let pending = card.criteria.filter { criterion in
            guard case .llm = criterion.evaluation else { return false }
            return evaluation.answers.contains { $0.criterionID == criterion.id && $0.status == .pending }
        }
        guard !pending.isEmpty, let provider = try await ai.chatProvider(scope) else { return evaluation }
        var replies: [String: Result<(value: String, evidence: [Evidence]), ReviewError>] = [:]
        for criterion in pending {
            guard case .llm(let prompt) = criterion.evaluation else { continue }
            do {
                let reply = try await provider.complete(
                    LLMGrading.messages(for: criterion, prompt: prompt, transcript: transcript))
                replies[criterion.id] = LLMGrading.answer(reply, for: criterion, transcript: transcript)
            } catch {
                logger.warning(
                    "llm.unavailable", "an LLM criterion could not be answered; it stays pending",
                    [.companyID: .string(scope.companyID)])
            }
        }
        return LLMGrading.apply(replies, to: evaluation, card: card)
    }
}

/// Claims jobs from the queue and runs them, with a heartbeat that keeps the lease while a job
/// runs. Several workers (in `serve` and in `callcoach worker` processes) share one queue.
struct Worker: Sendable {
    let id: String
    let database: any Database
    let pipeline: CallPipeline
    let logger: Logger
    let metrics: Metrics
    let clock: @Sendable () -> Date
    var lease: TimeInterval = 120
    var pollInterval: Duration = .seconds(1)

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            let worked = (try? await runOnce()) ?? false
            if !worked { try? await Task.sleep(for: pollInterval) }
        }
    }

    /// Claims and runs one job; `false` when none was due.
    @discardableResult
    func runOnce() async throws -> Bool {
        let now = clock()
        guard
            let job = try await database.write(.platform, { try JobQueue.claim(owner: id, now: now, lease: lease, $0) })
        else { return false }
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(lease / 3))
                let until = clock().addingTimeInterval(lease)
                _ = try? await database.write(.platform) { try JobQueue.heartbeat(job, owner: id, until: until, $0) }
            }
        }
        defer { heartbeat.cancel() }
        do {
            try await pipeline.process(job)
            try await database.write(.platform) { try JobQueue.complete(job, owner: id, $0) }
            metrics.increment("callcoach_jobs_completed_total")
        } catch {
            let failure = error as? PipelineFailure
            let reason = failure?.reason ?? "processing failed unexpectedly (\(type(of: error)))"
            metrics.increment("callcoach_jobs_failed_total")
            logger.warning(
                "pipeline.job_failed", "a processing attempt failed",
                [.jobID: .string(job.id), .count: .int(job.attempts), .errorType: .string("\(type(of: error))")])
            let now = clock()
            let scope = TenantScope.system(companyID: job.companyID)
            try await database.write(.platform) { connection in
                let letter = try JobQueue.fail(
                    job, owner: id, error: reason, permanent: failure?.permanent ?? false, now: now, connection)
                let status: CallStatus = letter == nil ? .queued : .failed
                try CallRecords(scope: scope).update(
                    id: job.subject, status: status, progress: 0,
                    failure: letter == nil ? "retrying after: \(reason)" : reason, at: now, connection)
            }
        }
        return true
    }
}

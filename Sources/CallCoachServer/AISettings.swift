import CallCoachCrypto
import CallCoachHTTP
import CallCoachSpeech
import CallCoachStore
import Foundation

/// A company's AI configuration: which transcriber hears its calls. Unless the company chose
/// otherwise, the embedded whisper.cpp with Whisper tiny.en does, so no call leaves the machine by
/// default. An external provider's API key is sealed with AES-256-GCM under a key derived for settings and bound to the company, is never
/// returned by the API, and is never logged or audited; every change is audited.
struct AISettings: Sendable {
    let database: any Database
    /// Seals provider API keys at rest.
    let key: [UInt8]
    /// The embedded models this process can run.
    let engines: Engines

    enum Transcription: String, CaseIterable {
        /// Voice activity only: talk-time figures without words.
        case none
        /// The embedded whisper.cpp; `model` is `tiny.en` (the default) or `base`.
        case whisper
        case openAICompatible = "openai-compatible"
    }

    /// What a company that never chose gets.
    static let defaultConfiguration = (transcriber: Transcription.whisper.rawValue, model: Engines.whisperModels[0])

    /// What `GET …/ai-configuration` shows: everything but the key itself.
    struct View: Encodable {
        let transcriber: String
        let baseUrl: String?
        let model: String?
        let apiKeySet: Bool
        /// The chat-completions provider for LLM criteria, if one is configured.
        let llmBaseUrl: String?
        let llmModel: String?
        let llmApiKeySet: Bool
        let updatedAt: Date?
    }

    /// The body of `PUT …/ai-configuration`.
    struct Change: Decodable {
        let transcriber: String
        let baseUrl: String?
        let model: String?
        let apiKey: String?
        let llmBaseUrl: String?
        let llmModel: String?
        let llmApiKey: String?

        static let fields: [StrictJSON.Field] = [
            .text("transcriber", 1...40), .text("baseUrl", 8...500, required: false),
            .text("model", 1...100, required: false), .text("apiKey", 1...500, required: false),
            .text("llmBaseUrl", 8...500, required: false), .text("llmModel", 1...100, required: false),
            .text("llmApiKey", 1...500, required: false),
        ]
    }

    func view(_ scope: TenantScope) async throws -> View {
        let stored = try await database.read(scope.context) { try AIConfigurations(scope: scope).current($0) }
        return View(
            transcriber: stored?.transcriber ?? Self.defaultConfiguration.transcriber, baseUrl: stored?.baseURL,
            model: stored == nil ? Self.defaultConfiguration.model : stored?.model,
            apiKeySet: stored?.sealedAPIKey != nil, llmBaseUrl: stored?.llmBaseURL, llmModel: stored?.llmModel,
            llmApiKeySet: stored?.sealedLLMAPIKey != nil, updatedAt: stored?.updatedAt)
    }

    /// Checks a change and turns it into what is stored. An omitted `apiKey` keeps the stored one
    /// as long as the provider's address stays the same, so a key never follows a new address.
    func configuration(
        _ change: Change, replacing stored: AIConfiguration?, scope: TenantScope, at time: Date
    ) throws -> AIConfiguration {
        var configuration = try transcription(change, replacing: stored, scope: scope, at: time)
        switch (change.llmBaseUrl, change.llmModel) {
        case (nil, nil):
            guard change.llmApiKey == nil else { throw StrictJSON.invalid("The field \"llmApiKey\" needs llmBaseUrl.") }
        case (let address?, let model?):
            guard let url = Self.providerURL(address) else {
                throw StrictJSON.invalid(
                    "The field \"llmBaseUrl\" must be an https:// address up to the API version "
                        + "(http:// only on this machine's loopback).")
            }
            configuration.llmBaseURL = url.absoluteString
            configuration.llmModel = model
            if let key = change.llmApiKey {
                configuration.sealedLLMAPIKey = try seal(key, companyID: scope.companyID, purpose: "llm")
            } else if stored?.llmBaseURL == url.absoluteString {
                configuration.sealedLLMAPIKey = stored?.sealedLLMAPIKey
            }
        default:
            throw StrictJSON.invalid("Give llmBaseUrl and llmModel together.")
        }
        return configuration
    }

    /// The transcription half of a change.
    func transcription(
        _ change: Change, replacing stored: AIConfiguration?, scope: TenantScope, at time: Date
    ) throws -> AIConfiguration {
        guard let kind = Transcription(rawValue: change.transcriber) else {
            throw StrictJSON.invalid(
                "The field \"transcriber\" must be one of \(Transcription.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        switch kind {
        case .none:
            guard change.baseUrl == nil, change.model == nil, change.apiKey == nil else {
                throw StrictJSON.invalid("The transcriber \"none\" takes no baseUrl, model or apiKey.")
            }
            return AIConfiguration(transcriber: kind.rawValue, updatedAt: time, updatedBy: scope.actorID)
        case .whisper:
            guard change.baseUrl == nil, change.apiKey == nil else {
                throw StrictJSON.invalid(
                    "The transcriber \"whisper\" runs on this server and takes no baseUrl or apiKey.")
            }
            let model = change.model ?? Engines.whisperModels[0]
            guard Engines.whisperModels.contains(model) else {
                throw StrictJSON.invalid(
                    "The field \"model\" must be one of \(Engines.whisperModels.joined(separator: ", ")) for whisper.")
            }
            guard engines.isInstalled(model) else {
                throw StrictJSON.invalid(
                    "The Whisper model \"\(model)\" is not installed on this server (scripts/install-speech\(model == "base" ? " --base" : ""))."
                )
            }
            return AIConfiguration(transcriber: kind.rawValue, model: model, updatedAt: time, updatedBy: scope.actorID)
        case .openAICompatible:
            guard let address = change.baseUrl, let url = Self.providerURL(address) else {
                throw StrictJSON.invalid(
                    "The field \"baseUrl\" must be an https:// address up to the API version, e.g. "
                        + "https://api.example.com/v1 (http:// only on this machine's loopback).")
            }
            guard let model = change.model else { throw StrictJSON.invalid("The field \"model\" is required.") }
            var sealed: String?
            if let apiKey = change.apiKey {
                sealed = try seal(apiKey, companyID: scope.companyID)
            } else if stored?.baseURL == url.absoluteString {
                sealed = stored?.sealedAPIKey
            }
            return AIConfiguration(
                transcriber: kind.rawValue, baseURL: url.absoluteString, model: model, sealedAPIKey: sealed,
                updatedAt: time, updatedBy: scope.actorID)
        }
    }

    /// The transcriber the company configured (the embedded Whisper tiny.en when it never chose),
    /// or `nil` for voice activity only.
    func transcriber(_ scope: TenantScope) async throws -> (any Transcriber)? {
        let stored = try await database.read(scope.context) { try AIConfigurations(scope: scope).current($0) }
        let kind = stored.map { Transcription(rawValue: $0.transcriber) ?? Transcription.none } ?? .whisper
        switch kind {
        case .whisper:
            return WhisperTranscriber(model: engines.whisperModel(stored?.model ?? Self.defaultConfiguration.model))
        case .openAICompatible:
            guard let stored, let address = stored.baseURL, let url = URL(string: address), let model = stored.model
            else { return nil }
            let apiKey = try stored.sealedAPIKey.map { try open($0, companyID: scope.companyID) }
            return OpenAICompatibleTranscriber(baseURL: url, model: model, apiKey: apiKey)
        case Transcription.none:
            return nil
        }
    }

    /// An `https://` address without credentials, query or fragment; `http://` only to loopback,
    /// where a local whisper.cpp or faster-whisper server listens.
    static func providerURL(_ text: String) -> URL? {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
        else { return nil }
        switch components.scheme {
        case "https": break
        case "http": guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else { return nil }
        default: return nil
        }
        var url = components.url?.absoluteString ?? ""
        while url.hasSuffix("/") { url.removeLast() }
        return URL(string: url)
    }

    /// The chat-completions provider for LLM criteria, or `nil` when none is configured.
    func chatProvider(_ scope: TenantScope) async throws -> ChatCompletions? {
        let stored = try await database.read(scope.context) { try AIConfigurations(scope: scope).current($0) }
        guard let stored, let address = stored.llmBaseURL, let url = URL(string: address), let model = stored.llmModel
        else { return nil }
        let apiKey = try stored.sealedLLMAPIKey.map { try open($0, companyID: scope.companyID, purpose: "llm") }
        return ChatCompletions(baseURL: url, model: model, apiKey: apiKey)
    }

    /// A provider key sealed for one company and one use (`transcription` or `llm`), so a sealed
    /// key cannot be moved to another company or the other provider.
    func seal(_ apiKey: String, companyID: String, purpose: String = "transcription") throws -> String {
        try AESGCM.sealText(Array(apiKey.utf8), key: key, authenticating: Self.binding(companyID, purpose))
    }

    func open(_ sealed: String, companyID: String, purpose: String = "transcription") throws -> String {
        String(
            decoding: try AESGCM.openText(sealed, key: key, authenticating: Self.binding(companyID, purpose)),
            as: UTF8.self)
    }

    static func binding(_ companyID: String, _ purpose: String) -> [UInt8] {
        Array((purpose == "transcription" ? "ai-api-key:\(companyID)" : "ai-\(purpose)-key:\(companyID)").utf8)
    }
}

/// `GET`/`PUT /api/v1/companies/{companyId}/ai-configuration`, for those who may configure AI.
struct AIRoutes: Sendable {
    let settings: AISettings
    let identity: IdentityService

    func register(in router: inout Router) {
        let path = "/api/v1/companies/{companyId}/ai-configuration"
        router.add(.get, path, access: Access.company(.configureAI)) { request in
            try .json(try await settings.view(try request.scope()))
        }
        router.add(.put, path, access: Access.company(.configureAI), bodyLimit: 8192) { request in
            let scope = try request.scope()
            let change = try await StrictJSON.decode(
                AISettings.Change.self, from: request, fields: AISettings.Change.fields)
            let now = identity.clock()
            try await settings.database.write(scope.context) { connection in
                let records = AIConfigurations(scope: scope)
                let stored = try records.current(connection)
                let configuration = try settings.configuration(change, replacing: stored, scope: scope, at: now)
                try records.save(configuration, connection)
                var details = ["transcriber": configuration.transcriber]
                details["baseUrl"] = configuration.baseURL
                details["model"] = configuration.model
                details["apiKey"] =
                    change.apiKey != nil ? "replaced" : configuration.sealedAPIKey == nil ? "none" : "kept"
                details["llmBaseUrl"] = configuration.llmBaseURL
                details["llmModel"] = configuration.llmModel
                details["llmApiKey"] =
                    change.llmApiKey != nil ? "replaced" : configuration.sealedLLMAPIKey == nil ? "none" : "kept"
                try identity.audit(
                    scope, "ai_configuration.changed", target: scope.companyID, details: details,
                    clientAddress: request.remoteAddress, connection)
            }
            return try .json(try await settings.view(scope))
        }
    }
}

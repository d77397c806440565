import CallCoachCore
import Foundation

/// A company's choice of analysis engines, as stored. The provider's API key is kept sealed;
/// this layer never sees it in the clear.
public struct AIConfiguration: Sendable, Equatable {
    /// `none` (voice activity only), or `openai-compatible`.
    public var transcriber: String
    public var baseURL: String?
    public var model: String?
    /// The API key sealed with the server's settings key, bound to the company.
    public var sealedAPIKey: String?
    /// The chat-completions provider that answers LLM criteria, if any, and its sealed key.
    public var llmBaseURL: String?
    public var llmModel: String?
    public var sealedLLMAPIKey: String?
    public var updatedAt: Date
    public var updatedBy: String

    public init(
        transcriber: String, baseURL: String? = nil, model: String? = nil, sealedAPIKey: String? = nil,
        llmBaseURL: String? = nil, llmModel: String? = nil, sealedLLMAPIKey: String? = nil, updatedAt: Date,
        updatedBy: String
    ) {
        self.transcriber = transcriber
        self.baseURL = baseURL
        self.model = model
        self.sealedAPIKey = sealedAPIKey
        self.llmBaseURL = llmBaseURL
        self.llmModel = llmModel
        self.sealedLLMAPIKey = sealedLLMAPIKey
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// The AI configuration of the scope's company.
public struct AIConfigurations: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    /// The stored configuration, or `nil` when the company never set one.
    public func current(_ connection: any DatabaseConnection) throws -> AIConfiguration? {
        try connection.queryOne("SELECT * FROM ai_configurations WHERE company_id = \(scope.companyID)").map { row in
            AIConfiguration(
                transcriber: try row.decode("transcriber"), baseURL: try row.decode("base_url"),
                model: try row.decode("model"), sealedAPIKey: try row.decode("api_key_sealed"),
                llmBaseURL: try row.decode("llm_base_url"), llmModel: try row.decode("llm_model"),
                sealedLLMAPIKey: try row.decode("llm_api_key_sealed"), updatedAt: try row.decode("updated_at"),
                updatedBy: try row.decode("updated_by"))
        }
    }

    public func save(_ configuration: AIConfiguration, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO ai_configurations (company_id, transcriber, base_url, model, api_key_sealed, llm_base_url, \
            llm_model, llm_api_key_sealed, updated_at, updated_by) VALUES (\(scope.companyID), \
            \(configuration.transcriber), \(configuration.baseURL), \(configuration.model), \
            \(configuration.sealedAPIKey), \(configuration.llmBaseURL), \(configuration.llmModel), \
            \(configuration.sealedLLMAPIKey), \(configuration.updatedAt), \(configuration.updatedBy)) \
            ON CONFLICT (company_id) DO UPDATE SET transcriber = excluded.transcriber, base_url = excluded.base_url, \
            model = excluded.model, api_key_sealed = excluded.api_key_sealed, llm_base_url = excluded.llm_base_url, \
            llm_model = excluded.llm_model, llm_api_key_sealed = excluded.llm_api_key_sealed, \
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """)
    }
}

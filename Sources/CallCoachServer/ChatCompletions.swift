import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Any server that speaks OpenAI's `POST /v1/chat/completions`, for LLM criteria. The reply's
/// text is never logged or put in an error: it may quote the call.
struct ChatCompletions: Sendable {
    let baseURL: URL
    let model: String
    let apiKey: String?
    var timeout: TimeInterval = 60

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The assistant's reply to the messages, at temperature 0.
    func complete(_ messages: [(role: String, content: String)]) async throws -> String {
        var request = URLRequest(url: baseURL.appendingPathComponent("chat/completions"), timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let body: [String: Any] = [
            "model": model, "temperature": 0,
            "messages": messages.map { ["role": $0.role, "content": $0.content] },
        ]
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let data: Data
        let status: Int
        do {
            let (reply, response) = try await URLSession.shared.data(for: request)
            data = reply
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
        } catch {
            throw Failure(description: "the LLM provider could not be reached")
        }
        guard status == 200 else { throw Failure(description: "the LLM provider answered HTTP \(status)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let choices = object["choices"] as? [[String: Any]],
            let content = (choices.first?["message"] as? [String: Any])?["content"] as? String
        else { throw Failure(description: "the LLM provider's reply had no message") }
        return content
    }
}

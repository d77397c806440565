import CallCoachHTTP
import Foundation

/// Request bodies that must be a JSON object with exactly the allowed fields: unknown fields and
/// missing required ones are refused before any value is used.
enum StrictJSON {
    static let maximumBytes = 64 * 1024

    static func decode<Value: Decodable>(
        _ type: Value.Type, from request: Request, allowed: Set<String>, required: Set<String>? = nil
    ) async throws -> Value {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(415, detail: "The request body must be application/json.")
        }
        let bytes = try await request.body.collect(upTo: maximumBytes)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw IdentityError(.invalidRequest)
        }
        let keys = Set(object.keys)
        guard keys.isSubset(of: allowed), (required ?? allowed).isSubset(of: keys) else {
            throw IdentityError(.invalidRequest)
        }
        do {
            return try JSON.decode(type, from: bytes)
        } catch {
            throw IdentityError(.invalidRequest)
        }
    }
}

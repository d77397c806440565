import CallCoachCore
import CallCoachHTTP
import Foundation

/// Reads the JSON API in process, as the signed-in caller: the same routes, the same access
/// control and the same services answer a page as answer a script, so a page can show no more
/// than the API would give the same person.
struct APIReader: Sendable {
    let application: HTTPApplication

    /// An API answer: its status and its JSON.
    struct Answer {
        let status: Int
        let json: JSONNode

        var ok: Bool { (200..<300).contains(status) }
    }

    func get(_ path: String, for page: Request) async -> Answer {
        var headers: HTTPHeaders = [:]
        for name in ["Cookie", "Host", "Authorization"] {
            if let value = page.headers[name] { headers.set(name, value) }
        }
        let request = Request(
            method: .get, target: path, headers: headers, scheme: page.scheme, id: page.id,
            remoteAddress: page.remoteAddress)
        let response = await application.respond(to: request)
        let value = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        return Answer(status: response.status, json: JSONNode(value))
    }
}

/// A read-only walk through decoded JSON; a missing key or a wrong type reads as absent.
struct JSONNode {
    let value: Any?

    init(_ value: Any?) { self.value = value is NSNull ? nil : value }

    subscript(key: String) -> JSONNode { JSONNode((value as? [String: Any])?[key]) }

    var array: [JSONNode] { (value as? [Any])?.map(JSONNode.init) ?? [] }
    var object: [(key: String, value: JSONNode)] {
        ((value as? [String: Any]) ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, JSONNode($0.value)) }
    }
    var string: String? { value as? String }
    var double: Double? {
        guard let value, !isJSONBoolean(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }
    var int: Int? { double.map { Int($0) } }
    var bool: Bool? {
        guard let value, isJSONBoolean(value) else { return nil }
        return (value as? NSNumber)?.boolValue
    }
    var exists: Bool { value != nil }
    /// The text of a scalar, for display.
    var text: String {
        if let string { return string }
        if let bool { return bool ? "yes" : "no" }
        if let double { return HTML.number(double) }
        return ""
    }
    /// The value as compact JSON, for the editors.
    var jsonText: String {
        guard let value, JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}

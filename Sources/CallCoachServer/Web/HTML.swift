import Foundation

/// A fragment of HTML. Text interpolated into it is escaped; only another `HTML` goes in as
/// markup, so a value from a request or the store can never become a tag or an attribute.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var markup: String

    init(stringLiteral value: String) { markup = value }

    init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }

    /// Markup the caller vouches for: the server's own SVG, nothing from outside.
    init(trusted markup: String) { self.markup = markup }

    static let empty = HTML(trusted: "")

    var description: String { markup }

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }

        mutating func appendLiteral(_ literal: String) { markup += literal }

        mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { markup += part.markup } }

        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }

        mutating func appendInterpolation(_ text: String?) { markup += HTML.escape(text ?? "") }

        mutating func appendInterpolation(_ number: Int) { markup += String(number) }

        /// A number with at most `digits` decimals, as attributes and labels want it.
        mutating func appendInterpolation(_ number: Double, digits: Int = 2) {
            markup += HTML.number(number, digits: digits)
        }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// Joins fragments.
    static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.markup).joined(separator: separator.markup))
    }
}

/// A reported value together with its unit and the formula that produced it, so a client can show
/// how a number was computed next to the number.
public struct Metric<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var value: Value
    /// `s`, `ratio`, `count`, `words/min`, … as listed in `docs/metrics.md`.
    public var unit: String
    public var formula: String

    public init(value: Value, unit: String, formula: String) {
        self.value = value
        self.unit = unit
        self.formula = formula
    }
}

/// How reported numbers are rounded, so JSON stays short, stable and free of NaN and infinities.
enum Rounded {
    /// Seconds to the millisecond.
    static func seconds(_ value: Double) -> Double { round(value, places: 1000) }
    /// Ratios to four decimals.
    static func ratio(_ value: Double) -> Double { round(value, places: 10_000) }
    /// Rates per minute and averages to two decimals.
    static func rate(_ value: Double) -> Double { round(value, places: 100) }
    /// Sentiment scores to one decimal.
    static func score(_ value: Double) -> Double { round(value, places: 10) }

    /// `numerator / denominator`, or 0 when the denominator is not positive.
    static func quotient(_ numerator: Double, _ denominator: Double) -> Double {
        denominator > 0 ? numerator / denominator : 0
    }

    private static func round(_ value: Double, places: Double) -> Double {
        guard value.isFinite else { return 0 }
        let result = (value * places).rounded() / places
        return result == 0 ? 0 : result  // never -0
    }
}

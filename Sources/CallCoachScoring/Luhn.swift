/// The Luhn checksum card numbers carry, and what looks like a card number.
public enum Luhn {
    /// Whether a string of digits passes the Luhn check.
    public static func isValid(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count == digits.count, values.count >= 2 else { return false }
        var sum = 0
        for (position, value) in values.reversed().enumerated() {
            if position % 2 == 1 {
                let doubled = value * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += value
            }
        }
        return sum % 10 == 0
    }

    /// 13 to 19 digits that pass the Luhn check: the length of every payment card number.
    public static func isCardNumber(_ digits: String) -> Bool {
        (13...19).contains(digits.count) && isValid(digits)
    }

    /// Whether a number may hold a card number: it is one, or it is longer than any card and some
    /// 13 to 19 digits of it pass the check. Recognisers run spoken digits together ("4242 4242…"
    /// heard as one 40-digit number), and a card number must not survive that.
    public static func mayHoldCardNumber(_ digits: String) -> Bool {
        if digits.count <= 19 { return isCardNumber(digits) }
        let values = Array(digits)
        for length in 13...19 {
            for start in 0...(values.count - length) where isValid(String(values[start..<(start + length)])) {
                return true
            }
        }
        return false
    }
}

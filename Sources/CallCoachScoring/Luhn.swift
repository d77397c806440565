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
}

import Foundation

/// Whether a value from `JSONSerialization` is `true` or `false`. It reads booleans as numbers
/// too (type code `c`), so a check for a number must ask this first, and a check for a boolean
/// must not accept the number 1.
public func isJSONBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}

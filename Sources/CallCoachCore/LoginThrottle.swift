/// Progressive lockout as a pure state machine: five failures lock for a minute, the next five
/// for five minutes, then fifteen, then sixty. State lives in the database; this only decides.
public struct LoginThrottle: Sendable, Equatable {
    /// Failures allowed before a lock.
    public static let threshold = 5
    /// Lock lengths in seconds, one per level; the last repeats.
    public static let lockDurations: [Int64] = [60, 300, 900, 3600]
    /// A day without failures forgets the history.
    public static let memory: Int64 = 86_400

    public var failures: Int
    public var level: Int
    public var lockedUntil: Int64
    public var lastFailureAt: Int64

    public init(failures: Int = 0, level: Int = 0, lockedUntil: Int64 = 0, lastFailureAt: Int64 = 0) {
        self.failures = failures
        self.level = level
        self.lockedUntil = lockedUntil
        self.lastFailureAt = lastFailureAt
    }

    /// Seconds until the lock ends, or `nil` when not locked at `now`.
    public func lockRemaining(at now: Int64) -> Int64? {
        lockedUntil > now ? lockedUntil - now : nil
    }

    /// The state with one counted failure taken back (a reserved attempt that succeeded).
    public func forgivingOneFailure() -> LoginThrottle {
        var next = self
        next.failures = max(0, failures - 1)
        return next
    }

    /// The state after one more failure at `now`.
    public func recordingFailure(at now: Int64) -> LoginThrottle {
        var next = now - lastFailureAt > Self.memory ? LoginThrottle() : self
        next.failures += 1
        next.lastFailureAt = now
        if next.failures >= Self.threshold {
            next.lockedUntil = now + Self.lockDurations[min(next.level, Self.lockDurations.count - 1)]
            next.level += 1
            next.failures = 0
        }
        return next
    }
}

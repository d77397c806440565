import Foundation

/// Fixed-window request counters in the database, so limits survive restarts and hold across
/// every server process. Keys are keyed hashes: no address or e-mail is stored.
public enum RateLimitCounters {
    /// Adds one to the counter of `key` in the window starting at `windowStart` and returns the
    /// new count, atomically (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`).
    public static func increment(key: String, windowStart: Int64, _ connection: any DatabaseConnection) throws -> Int {
        try connection.queryOne(
            """
            INSERT INTO rate_limit_counters (key, window_start, count) VALUES (\(key), \(windowStart), 1) \
            ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1 \
            RETURNING count
            """
        )?.decode("count") ?? Int.max
    }

    /// Drops windows that ended before `cutoff`.
    public static func prune(before cutoff: Int64, _ connection: any DatabaseConnection) throws {
        try connection.execute("DELETE FROM rate_limit_counters WHERE window_start < \(cutoff)")
    }
}

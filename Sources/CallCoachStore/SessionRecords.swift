import CallCoachCore
import Foundation

/// A signed-in session: the family every refresh token of one sign-in belongs to.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var createdAt: Date
    public var lastUsedAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    /// The session may only be used to enrol in MFA, because a company requires it.
    public var enrollmentOnly: Bool

    public init(
        id: String, userID: String, createdAt: Date, lastUsedAt: Date, expiresAt: Date, revokedAt: Date? = nil,
        enrollmentOnly: Bool = false
    ) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.enrollmentOnly = enrollmentOnly
    }

    /// Whether the session can still be used at `now` with the given idle timeout.
    public func isLive(at now: Date, idleTimeout: TimeInterval) -> Bool {
        revokedAt == nil && now < expiresAt && now.timeIntervalSince(lastUsedAt) < idleTimeout
    }
}

/// Reads and writes of sessions and refresh tokens.
public enum SessionRecords {
    public static func insert(_ session: SessionRecord, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, mfa_enrollment_only) \
            VALUES (\(session.id), \(session.userID), \(session.createdAt), \(session.lastUsedAt), \
            \(session.expiresAt), \(session.enrollmentOnly))
            """)
    }

    public static func session(id: String, _ connection: any DatabaseConnection) throws -> SessionRecord? {
        try connection.queryOne("SELECT * FROM sessions WHERE id = \(id)").map(session)
    }

    /// The user's sessions that are neither revoked nor past their absolute expiry, newest first.
    public static func openSessions(userID: String, now: Date, _ connection: any DatabaseConnection) throws
        -> [SessionRecord]
    {
        try connection.query(
            """
            SELECT * FROM sessions WHERE user_id = \(userID) AND revoked_at IS NULL AND expires_at > \(now) \
            ORDER BY created_at DESC
            """
        ).map(session)
    }

    public static func touch(sessionID: String, at now: Date, _ connection: any DatabaseConnection) throws {
        try connection.execute("UPDATE sessions SET last_used_at = \(now) WHERE id = \(sessionID)")
    }

    public static func setEnrollmentOnly(_ value: Bool, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute("UPDATE sessions SET mfa_enrollment_only = \(value) WHERE user_id = \(userID)")
    }

    /// Revokes one session; returns whether it was open.
    @discardableResult
    public static func revoke(sessionID: String, reason: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            """
            UPDATE sessions SET revoked_at = \(Date()), revoked_reason = \(reason) \
            WHERE id = \(sessionID) AND revoked_at IS NULL
            """) > 0
    }

    /// Revokes every open session of a user, except `keeping` when given; returns how many.
    @discardableResult
    public static func revokeAll(
        userID: String, reason: String, keeping: String? = nil, _ connection: any DatabaseConnection
    ) throws -> Int {
        try connection.execute(
            """
            UPDATE sessions SET revoked_at = \(Date()), revoked_reason = \(reason) \
            WHERE user_id = \(userID) AND revoked_at IS NULL AND id <> \(keeping ?? "")
            """)
    }

    public static func insertRefreshToken(hash: String, sessionID: String, _ connection: any DatabaseConnection) throws
    {
        try connection.execute(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (\(hash), \(sessionID), \(Date()))")
    }

    /// The session a refresh token belongs to and whether it was already rotated.
    public static func refreshToken(hash: String, _ connection: any DatabaseConnection) throws -> (
        sessionID: String, rotated: Bool
    )? {
        guard
            let row = try connection.queryOne(
                "SELECT session_id, rotated_at FROM refresh_tokens WHERE token_hash = \(hash)")
        else { return nil }
        return (try row.decode("session_id"), row["rotated_at"] != .null)
    }

    /// Marks a refresh token used; returns false if another request rotated it first.
    public static func rotateRefreshToken(hash: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            "UPDATE refresh_tokens SET rotated_at = \(Date()) WHERE token_hash = \(hash) AND rotated_at IS NULL") == 1
    }

    static func session(_ row: Row) throws -> SessionRecord {
        SessionRecord(
            id: try row.decode("id"), userID: try row.decode("user_id"), createdAt: try row.decode("created_at"),
            lastUsedAt: try row.decode("last_used_at"), expiresAt: try row.decode("expires_at"),
            revokedAt: try row.decode("revoked_at"), enrollmentOnly: try row.decode("mfa_enrollment_only"))
    }
}

/// Lockout counters, keyed by keyed hashes of identities (never the e-mail or address itself).
public enum ThrottleRecords {
    public static func state(key: String, _ connection: any DatabaseConnection) throws -> LoginThrottle {
        guard let row = try connection.queryOne("SELECT * FROM login_throttles WHERE key = \(key)") else {
            return LoginThrottle()
        }
        return try throttle(row)
    }

    /// The state with its row locked until the transaction ends, so concurrent failures on
    /// several servers are all counted.
    public static func lockedState(key: String, _ connection: any DatabaseConnection) throws -> LoginThrottle {
        try connection.execute(
            """
            INSERT INTO login_throttles (key, failures, level, locked_until, last_failure_at) \
            VALUES (\(key), 0, 0, 0, 0) ON CONFLICT (key) DO NOTHING
            """)
        let row = try connection.queryOne(
            "SELECT * FROM login_throttles WHERE key = \(key)\(keyword: connection.dialect.forUpdate)")
        return try row.map(throttle) ?? LoginThrottle()
    }

    static func throttle(_ row: Row) throws -> LoginThrottle {
        return LoginThrottle(
            failures: try row.decode("failures"), level: try row.decode("level"),
            lockedUntil: try row.decode("locked_until"), lastFailureAt: try row.decode("last_failure_at"))
    }

    public static func save(_ state: LoginThrottle, key: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO login_throttles (key, failures, level, locked_until, last_failure_at) \
            VALUES (\(key), \(state.failures), \(state.level), \(state.lockedUntil), \(state.lastFailureAt)) \
            ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, level = excluded.level, \
            locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at
            """)
    }

    public static func clear(key: String, _ connection: any DatabaseConnection) throws {
        try connection.execute("DELETE FROM login_throttles WHERE key = \(key)")
    }
}

/// Single-use tokens (MFA challenges, password resets, invitations), stored only as hashes.
public struct OneTimeToken: Sendable, Equatable {
    public enum Purpose: String, Sendable {
        case mfaChallenge = "mfa_challenge"
        case passwordReset = "password_reset"
        case invitation
    }

    public var purpose: Purpose
    public var userID: String?
    public var companyID: String?
    public var email: String?
    public var role: String?
    public var expiresAt: Date

    public init(
        purpose: Purpose, userID: String? = nil, companyID: String? = nil, email: String? = nil, role: String? = nil,
        expiresAt: Date
    ) {
        self.purpose = purpose
        self.userID = userID
        self.companyID = companyID
        self.email = email
        self.role = role
        self.expiresAt = expiresAt
    }
}

extension OneTimeToken {
    public static func insert(_ token: OneTimeToken, hash: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO one_time_tokens (token_hash, purpose, user_id, company_id, email, role, created_at, expires_at) \
            VALUES (\(hash), \(token.purpose.rawValue), \(token.userID), \(token.companyID), \(token.email), \
            \(token.role), \(Date()), \(token.expiresAt))
            """)
    }

    /// The token if it exists for `purpose`, is unused and unexpired, without using it up.
    public static func find(hash: String, purpose: Purpose, now: Date, _ connection: any DatabaseConnection) throws
        -> OneTimeToken?
    {
        try connection.queryOne(
            """
            SELECT * FROM one_time_tokens WHERE token_hash = \(hash) AND purpose = \(purpose.rawValue) \
            AND used_at IS NULL AND expires_at > \(now)
            """
        ).map { try token($0, purpose: purpose) }
    }

    static func token(_ row: Row, purpose: Purpose) throws -> OneTimeToken {
        OneTimeToken(
            purpose: purpose, userID: try row.decode("user_id"), companyID: try row.decode("company_id"),
            email: try row.decode("email"), role: try row.decode("role"), expiresAt: try row.decode("expires_at"))
    }

    /// Marks the token used and returns it, if it exists for `purpose`, is unused and unexpired.
    public static func consume(hash: String, purpose: Purpose, now: Date, _ connection: any DatabaseConnection) throws
        -> OneTimeToken?
    {
        let used = try connection.execute(
            """
            UPDATE one_time_tokens SET used_at = \(now) WHERE token_hash = \(hash) AND purpose = \(purpose.rawValue) \
            AND used_at IS NULL AND expires_at > \(now)
            """)
        guard used == 1, let row = try connection.queryOne("SELECT * FROM one_time_tokens WHERE token_hash = \(hash)")
        else { return nil }
        return try token(row, purpose: purpose)
    }

    /// Voids every unused token of `purpose` for a user (an older reset link once a new one is sent).
    public static func voidAll(purpose: Purpose, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            UPDATE one_time_tokens SET used_at = \(Date()) \
            WHERE purpose = \(purpose.rawValue) AND user_id = \(userID) AND used_at IS NULL
            """)
    }
}

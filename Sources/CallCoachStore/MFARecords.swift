import Foundation

/// A user's TOTP secret (sealed by the caller), its replay guard, and recovery codes.
public enum MFARecords {
    /// Stores a pending secret; MFA stays off until the first code confirms it.
    public static func setPendingSecret(_ sealed: String, userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            UPDATE users SET mfa_secret = \(sealed), mfa_enabled = \(false), mfa_last_step = 0, updated_at = \(Date()) \
            WHERE id = \(userID)
            """)
    }

    public static func sealedSecret(userID: String, _ connection: any DatabaseConnection) throws -> String? {
        try connection.queryOne("SELECT mfa_secret FROM users WHERE id = \(userID)")?.decode("mfa_secret")
    }

    /// Records `step` as used if it is newer than every step accepted before; false means a replay.
    public static func acceptStep(_ step: UInt64, userID: String, _ connection: any DatabaseConnection) throws -> Bool {
        try connection.execute(
            "UPDATE users SET mfa_last_step = \(Int64(step)) WHERE id = \(userID) AND mfa_last_step < \(Int64(step))")
            == 1
    }

    public static func enable(userID: String, recoveryCodeHashes: [String], _ connection: any DatabaseConnection) throws
    {
        try connection.execute("UPDATE users SET mfa_enabled = \(true), updated_at = \(Date()) WHERE id = \(userID)")
        try connection.execute("DELETE FROM recovery_codes WHERE user_id = \(userID)")
        for hash in recoveryCodeHashes {
            try connection.execute("INSERT INTO recovery_codes (user_id, code_hash) VALUES (\(userID), \(hash))")
        }
    }

    public static func disable(userID: String, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            UPDATE users SET mfa_enabled = \(false), mfa_secret = \(DatabaseValue.null), mfa_last_step = 0, \
            updated_at = \(Date()) WHERE id = \(userID)
            """)
        try connection.execute("DELETE FROM recovery_codes WHERE user_id = \(userID)")
    }

    /// Uses one recovery code; false if it does not exist or was used.
    public static func useRecoveryCode(hash: String, userID: String, _ connection: any DatabaseConnection) throws
        -> Bool
    {
        try connection.execute(
            """
            UPDATE recovery_codes SET used_at = \(Date()) \
            WHERE user_id = \(userID) AND code_hash = \(hash) AND used_at IS NULL
            """) == 1
    }
}

/// An e-mail waiting to be delivered.
public struct OutboxMessage: Sendable, Equatable {
    public var id: String
    public var recipient: String
    public var subject: String
    public var body: String
    public var attempts: Int

    public init(id: String, recipient: String, subject: String, body: String, attempts: Int = 0) {
        self.id = id
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.attempts = attempts
    }
}

/// The e-mail outbox: written in the same transaction as the change that sends the mail, so a
/// message is never lost and never sent for a change that rolled back.
public enum OutboxRecords {
    public static func enqueue(_ message: OutboxMessage, _ connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO outbox (id, recipient, subject, body, created_at, next_attempt_at) \
            VALUES (\(message.id), \(message.recipient), \(message.subject), \(message.body), \(Date()), \(Date()))
            """)
    }

    /// Claims up to `limit` messages due at `now` for `lease` seconds, oldest first, so that
    /// several servers delivering the same outbox never send one message twice. On PostgreSQL the
    /// rows are taken with `FOR UPDATE SKIP LOCKED`; on SQLite the single writer serialises claims.
    public static func claim(now: Date, limit: Int, lease: TimeInterval, _ connection: any DatabaseConnection) throws
        -> [OutboxMessage]
    {
        let skipLocked = connection.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let messages = try connection.query(
            """
            SELECT id, recipient, subject, body, attempts FROM outbox \
            WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(now) AND claimed_until <= \(now) \
            ORDER BY created_at LIMIT \(limit)\(keyword: skipLocked)
            """
        ).map { row in
            OutboxMessage(
                id: try row.decode("id"), recipient: try row.decode("recipient"), subject: try row.decode("subject"),
                body: try row.decode("body"), attempts: try row.decode("attempts"))
        }
        for message in messages {
            try connection.execute(
                "UPDATE outbox SET claimed_until = \(now.addingTimeInterval(lease)) WHERE id = \(message.id)")
        }
        return messages
    }

    /// Marks a message delivered and drops its body, which may hold a single-use link.
    public static func markSent(id: String, _ connection: any DatabaseConnection) throws {
        try connection.execute("UPDATE outbox SET sent_at = \(Date()), body = '' WHERE id = \(id)")
    }

    /// Records a failed attempt: retried at `retryAt`, or given up on when `retryAt` is nil.
    public static func markFailed(id: String, error: String, retryAt: Date?, _ connection: any DatabaseConnection)
        throws
    {
        try connection.execute(
            """
            UPDATE outbox SET attempts = attempts + 1, claimed_until = 0, last_error = \(error), \
            next_attempt_at = \(retryAt ?? Date()), failed_at = \(retryAt == nil ? Date() : nil) WHERE id = \(id)
            """)
    }
}

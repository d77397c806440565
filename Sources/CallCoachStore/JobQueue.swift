import CallCoachCore
import Foundation

/// A unit of background work: one stage of one call's processing.
public struct Job: Sendable, Equatable {
    public let id: String
    public let companyID: String
    public let kind: String
    /// What the job works on, e.g. a call id.
    public let subject: String
    /// Attempts started so far, this one included once claimed.
    public let attempts: Int
    public let maxAttempts: Int
}

/// A job that ran out of attempts, kept with its last error until someone re-queues it.
public struct DeadLetter: Sendable, Equatable, Codable {
    public let id: String
    public let companyID: String
    public let kind: String
    public let subject: String
    public let attempts: Int
    public let error: String
    public let failedAt: Date
}

/// The job queue in the database: jobs are leased (a visibility timeout) so a worker that dies
/// mid-job loses nothing; the lease expires and another worker runs it again. Failed attempts
/// retry with exponential backoff; after the last one the job becomes a dead letter. Claims use
/// `FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers in many processes never take the same job.
/// Claiming and settling are platform work (across companies); listing and re-queueing dead
/// letters of one company go through its tenant scope.
public enum JobQueue {
    public static let defaultMaxAttempts = 5

    public static func enqueue(
        companyID: String, kind: String, subject: String, at time: Date, maxAttempts: Int = defaultMaxAttempts,
        _ connection: any DatabaseConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO jobs (id, company_id, kind, subject, attempts, max_attempts, run_at, lease_until, created_at) \
            VALUES (\(Identifier.make()), \(companyID), \(kind), \(subject), 0, \(maxAttempts), \(time), \
            \(Date(timeIntervalSince1970: 0)), \(time))
            """)
    }

    /// Takes the oldest due job whose lease (if any) has expired, leasing it to `owner` until
    /// `now + lease`. `nil` when nothing is due.
    public static func claim(owner: String, now: Date, lease: TimeInterval, _ connection: any DatabaseConnection)
        throws -> Job?
    {
        let skipLocked = connection.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        guard
            let row = try connection.queryOne(
                """
                SELECT * FROM jobs WHERE run_at <= \(now) AND lease_until <= \(now) \
                ORDER BY run_at, id LIMIT 1\(keyword: skipLocked)
                """)
        else { return nil }
        let job = Job(
            id: try row.decode("id"), companyID: try row.decode("company_id"), kind: try row.decode("kind"),
            subject: try row.decode("subject"), attempts: try row.decode("attempts", as: Int.self) + 1,
            maxAttempts: try row.decode("max_attempts"))
        try connection.execute(
            """
            UPDATE jobs SET attempts = \(job.attempts), lease_owner = \(owner), \
            lease_until = \(now.addingTimeInterval(lease)) WHERE id = \(job.id)
            """)
        return job
    }

    /// Extends the lease while the owner still holds it; `false` if it was lost.
    public static func heartbeat(
        _ job: Job, owner: String, until time: Date, _ connection: any DatabaseConnection
    ) throws -> Bool {
        try connection.execute(
            "UPDATE jobs SET lease_until = \(time) WHERE id = \(job.id) AND lease_owner = \(owner)") == 1
    }

    /// Removes a finished job.
    public static func complete(_ job: Job, owner: String, _ connection: any DatabaseConnection) throws {
        try connection.execute("DELETE FROM jobs WHERE id = \(job.id) AND lease_owner = \(owner)")
    }

    /// Records a failed attempt: retried after a backoff, or moved to the dead letters after the
    /// last attempt (or at once when `permanent`). Returns the dead letter when it became one.
    @discardableResult
    public static func fail(
        _ job: Job, owner: String, error: String, permanent: Bool = false, now: Date,
        _ connection: any DatabaseConnection
    ) throws -> DeadLetter? {
        if permanent || job.attempts >= job.maxAttempts {
            let letter = DeadLetter(
                id: job.id, companyID: job.companyID, kind: job.kind, subject: job.subject, attempts: job.attempts,
                error: error, failedAt: now)
            try connection.execute("DELETE FROM jobs WHERE id = \(job.id)")
            try connection.execute(
                """
                INSERT INTO dead_letters (id, company_id, kind, subject, attempts, error, failed_at) VALUES \
                (\(letter.id), \(letter.companyID), \(letter.kind), \(letter.subject), \(letter.attempts), \
                \(letter.error), \(letter.failedAt))
                """)
            return letter
        }
        try connection.execute(
            """
            UPDATE jobs SET run_at = \(now.addingTimeInterval(backoff(afterAttempt: job.attempts))), \
            lease_owner = NULL, lease_until = \(Date(timeIntervalSince1970: 0)), last_error = \(error) \
            WHERE id = \(job.id) AND lease_owner = \(owner)
            """)
        return nil
    }

    /// Seconds before the next attempt: 5 s doubled per attempt, at most an hour.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(3600, 5 * pow(2, Double(max(0, attempt - 1))))
    }

    /// Every dead letter, across companies (the platform operator's view).
    public static func allDeadLetters(limit: Int, _ connection: any DatabaseConnection) throws -> [DeadLetter] {
        try connection.query("SELECT * FROM dead_letters ORDER BY failed_at DESC, id LIMIT \(limit)").map(deadLetter)
    }

    /// Puts a dead letter back in the queue with fresh attempts, across companies.
    public static func requeue(id: String, at time: Date, _ connection: any DatabaseConnection) throws -> DeadLetter? {
        guard let letter = try connection.queryOne("SELECT * FROM dead_letters WHERE id = \(id)").map(deadLetter) else {
            return nil
        }
        try connection.execute("DELETE FROM dead_letters WHERE id = \(id)")
        try enqueue(companyID: letter.companyID, kind: letter.kind, subject: letter.subject, at: time, connection)
        return letter
    }

    /// How many jobs wait or run, for tests and metrics.
    public static func pending(_ connection: any DatabaseConnection) throws -> Int {
        try connection.queryOne("SELECT COUNT(*) AS n FROM jobs")?.decode("n") ?? 0
    }

    static func deadLetter(_ row: Row) throws -> DeadLetter {
        DeadLetter(
            id: try row.decode("id"), companyID: try row.decode("company_id"), kind: try row.decode("kind"),
            subject: try row.decode("subject"), attempts: try row.decode("attempts"), error: try row.decode("error"),
            failedAt: try row.decode("failed_at"))
    }
}

/// One company's dead letters, through its tenant scope.
public struct DeadLetters: Sendable {
    let scope: TenantScope

    public init(scope: TenantScope) {
        self.scope = scope
    }

    public func all(limit: Int, _ connection: any DatabaseConnection) throws -> [DeadLetter] {
        try connection.query(
            "SELECT * FROM dead_letters WHERE company_id = \(scope.companyID) ORDER BY failed_at DESC, id LIMIT \(limit)"
        ).map(JobQueue.deadLetter)
    }

    /// Re-queues one of the company's dead letters; `nil` if it has none by that id.
    public func requeue(id: String, at time: Date, _ connection: any DatabaseConnection) throws -> DeadLetter? {
        guard
            let letter = try connection.queryOne(
                "SELECT * FROM dead_letters WHERE id = \(id) AND company_id = \(scope.companyID)"
            ).map(JobQueue.deadLetter)
        else { return nil }
        try connection.execute("DELETE FROM dead_letters WHERE id = \(id) AND company_id = \(scope.companyID)")
        try JobQueue.enqueue(
            companyID: scope.companyID, kind: letter.kind, subject: letter.subject, at: time, connection)
        return letter
    }
}

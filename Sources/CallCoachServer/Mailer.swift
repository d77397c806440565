import CallCoachCore
import CallCoachStore

/// Queues e-mail in the outbox, inside the caller's transaction; delivery happens elsewhere.
public struct Mailer: Sendable {
    public init() {}

    public func enqueue(to recipient: String, subject: String, body: String, _ connection: any DatabaseConnection)
        throws
    {
        try OutboxRecords.enqueue(
            OutboxMessage(id: Identifier.make(), recipient: recipient, subject: subject, body: body), connection)
    }
}

import CPostgres
import Dispatch
import Foundation
import Synchronization

/// PostgreSQL through libpq: pools of connections, each connection on its own serial queue.
///
/// The application pool connects as a role that owns nothing, so row-level security holds on
/// every company table; each transaction tells it whose behalf it runs on. The owner pool serves
/// the explicit platform path only (migrations, company creation, checks across companies).
public final class PostgresDatabase: Database {
    public let dialect = SQLDialect.postgres
    private let connections: [PostgresConnection]
    private let owners: [PostgresConnection]
    private let next = Atomic<Int>(0)

    /// Connects `size` connections to `url` (`postgres://user:password@host:port/database`) and,
    /// when `ownerURL` is given, two more as the owner of the schema for platform work.
    public init(url: String, ownerURL: String? = nil, size: Int = 4) throws {
        connections = try (0..<max(1, size)).map { _ in try PostgresConnection(url: url) }
        owners = try ownerURL.map { url in try (0..<2).map { _ in try PostgresConnection(url: url) } } ?? []
    }

    @discardableResult
    public func read<Result: Sendable>(
        _ context: AccessContext, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result {
        try await pick(context).transaction(begin: "BEGIN READ ONLY", prelude: Self.prelude(context), body)
    }

    @discardableResult
    public func write<Result: Sendable>(
        _ context: AccessContext, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result {
        try await pick(context).transaction(begin: "BEGIN", prelude: Self.prelude(context), body)
    }

    public func close() {
        (connections + owners).forEach { $0.close() }
    }

    /// Transaction-local settings the row-level policies read; they end with the transaction, so
    /// a pooled connection carries nothing over.
    static func prelude(_ context: AccessContext) -> SQL? {
        switch context {
        case .global, .platform: nil
        case .user(let userID): "SELECT set_config('app.user_id', \(userID), true)"
        case .company(let companyID, let actor):
            "SELECT set_config('app.company_id', \(companyID), true), set_config('app.user_id', \(actor), true)"
        }
    }

    private func pick(_ context: AccessContext = .global) -> PostgresConnection {
        let pool = context == .platform && !owners.isEmpty ? owners : connections
        return pool[next.wrappingAdd(1, ordering: .relaxed).oldValue % pool.count]
    }

    /// Runs statements that cannot run inside a transaction, such as `CREATE DATABASE`.
    public func administer(_ text: String) async throws {
        let connection = pick()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.queue.async { continuation.resume(with: Result { try connection.executeScript(text) }) }
        }
    }

    private func pick() -> PostgresConnection {
        connections[next.wrappingAdd(1, ordering: .relaxed).oldValue % connections.count]
    }
}

/// One libpq connection. It reconnects on its next use after the server went away.
final class PostgresConnection: QueuedConnection, @unchecked Sendable {
    // @unchecked Sendable: `handle` is used only on `queue`, which is serial.
    let dialect = SQLDialect.postgres
    let queue = DispatchQueue(label: "callcoach.postgres")
    private let url: String
    private var handle: OpaquePointer?
    private var closed = false

    init(url: String) throws {
        self.url = url
        try queue.sync { try connect() }
    }

    var isOpen: Bool {
        guard !closed else { return false }
        if PQstatus(handle) != CONNECTION_OK { try? connect() }
        return PQstatus(handle) == CONNECTION_OK
    }

    private func connect() throws {
        if let handle { PQfinish(handle) }
        handle = PQconnectdb(url)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw DatabaseError(.unavailable, detail: "cannot connect to PostgreSQL")
        }
    }

    /// Closes after any work already queued. Asynchronous on purpose: the last reference to a
    /// server may be dropped on this very queue, where waiting for it would deadlock.
    func close() {
        queue.async { [self] in
            closed = true
            PQfinish(handle)
            handle = nil
        }
    }

    @discardableResult
    func execute(_ sql: SQL) throws -> Int {
        let result = try run(sql)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func query(_ sql: SQL) throws -> [Row] {
        let result = try run(sql)
        defer { PQclear(result) }
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let types = (0..<columnCount).map { PQftype(result, $0) }
        return (0..<PQntuples(result)).map { row in
            Row(columns: columns, values: (0..<columnCount).map { value(result, row, $0, type: types[Int($0)]) })
        }
    }

    func executeScript(_ text: String) throws {
        guard let handle, !closed else { throw DatabaseError(.unavailable, detail: "the database is closed") }
        let result = PQexec(handle, text)
        defer { PQclear(result) }
        try check(result)
    }

    private func run(_ sql: SQL) throws -> OpaquePointer {
        guard let handle, !closed else { throw DatabaseError(.unavailable, detail: "the database is closed") }
        let (text, arguments) = sql.rendered(for: .postgres)
        var buffers: [[UInt8]?] = []
        var formats: [Int32] = []
        for argument in arguments {
            switch argument {
            case .null: buffers.append(nil); formats.append(0)
            case .integer(let integer): buffers.append(Array(String(integer).utf8) + [0]); formats.append(0)
            case .real(let real): buffers.append(Array("\(real)".utf8) + [0]); formats.append(0)
            case .text(let string):
                // libpq reads text parameters up to the first NUL; refuse rather than truncate.
                guard !string.utf8.contains(0) else {
                    throw DatabaseError(.engine, detail: "a text value holds a NUL byte")
                }
                buffers.append(Array(string.utf8) + [0])
                formats.append(0)
            case .blob(let bytes): buffers.append(bytes); formats.append(1)
            }
        }
        let lengths = buffers.map { Int32($0?.count ?? 0) }
        let result = withPointers(buffers) { pointers in
            PQexecParams(handle, text, Int32(arguments.count), nil, pointers, lengths, formats, 0)
        }
        do {
            try check(result)
        } catch {
            PQclear(result)
            throw error
        }
        return result!
    }

    /// Calls `body` with C pointers to each buffer (nil for SQL NULL), valid only inside it.
    private func withPointers<Result>(
        _ buffers: [[UInt8]?], _ body: ([UnsafePointer<CChar>?]) -> Result
    ) -> Result {
        var pointers: [UnsafePointer<CChar>?] = []
        var allocations: [UnsafeMutablePointer<UInt8>] = []
        defer { allocations.forEach { $0.deallocate() } }
        for buffer in buffers {
            guard let buffer else {
                pointers.append(nil)
                continue
            }
            let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, buffer.count))
            memory.initialize(from: buffer, count: buffer.count)
            allocations.append(memory)
            pointers.append(UnsafeRawPointer(memory).assumingMemoryBound(to: CChar.self))
        }
        return body(pointers)
    }

    private func value(_ result: OpaquePointer?, _ row: Int32, _ column: Int32, type: Oid) -> DatabaseValue {
        guard PQgetisnull(result, row, column) == 0 else { return .null }
        let text = String(cString: PQgetvalue(result, row, column))
        switch type {
        case 16: return .integer(text == "t" ? 1 : 0)
        case 20, 21, 23: return Int64(text).map(DatabaseValue.integer) ?? .text(text)
        case 700, 701, 1700: return Double(text).map(DatabaseValue.real) ?? .text(text)
        case 17: return .blob(Self.decodeBytea(text))
        default: return .text(text)
        }
    }

    /// bytea in hex output form: `\x` followed by two hex digits a byte.
    static func decodeBytea(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        for scalar in text.utf8.dropFirst(2) {
            guard let digit = UInt8(String(UnicodeScalar(scalar)), radix: 16) else { continue }
            if let first = high {
                bytes.append(first << 4 | digit)
                high = nil
            } else {
                high = digit
            }
        }
        return bytes
    }

    /// Throws a typed error for a failed result, carrying SQLSTATE but not the server's message,
    /// which can quote values.
    private func check(_ result: OpaquePointer?) throws {
        let status = PQresultStatus(result)
        guard status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK else { return }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "?????"
        let code: DatabaseError.Code =
            switch state.prefix(2) {
            case "23": .constraint
            case "40": .busy
            case "08", "57": .unavailable
            case "42" where state == "42501": .denied
            default: PQstatus(handle) == CONNECTION_OK ? .engine : .unavailable
            }
        throw DatabaseError(code, detail: "postgres state \(state)")
    }
}

import CSQLite
import Dispatch
import Foundation
import Synchronization

/// The embedded store: one SQLite file in WAL mode, one writer connection and a few readers.
public final class SQLiteDatabase: Database {
    public let dialect = SQLDialect.sqlite
    public let path: String
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)

    /// Opens (creating if needed) the database at `path`.
    public init(path: String, readers readerCount: Int = 2, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        self.path = path
        writer = try SQLiteConnection(path: path, readOnly: false, busyTimeout: busyTimeoutMilliseconds)
        try writer.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        readers = try (0..<max(1, readerCount)).map { _ in
            try SQLiteConnection(path: path, readOnly: true, busyTimeout: busyTimeoutMilliseconds)
        }
    }

    @discardableResult
    public func read<Result: Sendable>(
        _ context: AccessContext, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await readers[index % readers.count].transaction(begin: "BEGIN", body)
    }

    @discardableResult
    public func write<Result: Sendable>(
        _ context: AccessContext, _ body: @escaping @Sendable (any DatabaseConnection) throws -> Result
    ) async throws -> Result {
        try await writer.transaction(begin: "BEGIN IMMEDIATE", body)
    }

    public func close() {
        writer.close()
        readers.forEach { $0.close() }
    }
}

/// One SQLite connection with its own serial queue and prepared-statement cache.
final class SQLiteConnection: QueuedConnection, @unchecked Sendable {
    // @unchecked Sendable: every use of `handle` and `statements` happens on `queue`, which is serial.
    let dialect = SQLDialect.sqlite
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    let queue: DispatchQueue

    init(path: String, readOnly: Bool, busyTimeout: Int32) throws {
        queue = DispatchQueue(label: readOnly ? "callcoach.sqlite.reader" : "callcoach.sqlite.writer")
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            sqlite3_close_v2(handle)
            handle = nil
            throw DatabaseError(.unavailable, detail: "cannot open the database (code \(status))")
        }
        sqlite3_busy_timeout(handle, busyTimeout)
        sqlite3_extended_result_codes(handle, 1)
        try executeScript("PRAGMA foreign_keys = ON;")
    }

    var isOpen: Bool { handle != nil }

    /// Closes after any work already queued. Asynchronous on purpose: the last reference to a
    /// server may be dropped on this very queue, where waiting for it would deadlock.
    func close() {
        queue.async { [self] in
            statements.values.forEach { sqlite3_finalize($0) }
            statements.removeAll()
            sqlite3_close_v2(handle)
            handle = nil
        }
    }

    @discardableResult
    func execute(_ sql: SQL) throws -> Int {
        try withStatement(sql) { statement in
            while try step(statement) {}
            return Int(sqlite3_changes(handle))
        }
    }

    func query(_ sql: SQL) throws -> [Row] {
        try withStatement(sql) { statement in
            let count = sqlite3_column_count(statement)
            let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
            var rows: [Row] = []
            while try step(statement) {
                rows.append(Row(columns: columns, values: (0..<count).map { column(statement, $0) }))
            }
            return rows
        }
    }

    func executeScript(_ text: String) throws {
        guard handle != nil else { throw DatabaseError(.unavailable, detail: "the database is closed") }
        let status = sqlite3_exec(handle, text, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status) }
    }

    private func withStatement<Result>(_ sql: SQL, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard handle != nil else { throw DatabaseError(.unavailable, detail: "the database is closed") }
        let (text, arguments) = sql.rendered(for: .sqlite)
        let statement = try prepared(text)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, argument) in arguments.enumerated() {
            try bind(argument, at: Int32(offset + 1), to: statement)
        }
        return try body(statement)
    }

    private func prepared(_ text: String) throws -> OpaquePointer {
        if let cached = statements[text] { return cached }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        statements[text] = statement
        return statement
    }

    private func bind(_ value: DatabaseValue, at index: Int32, to statement: OpaquePointer) throws {
        let status: Int32
        switch value {
        case .null: status = sqlite3_bind_null(statement, index)
        case .integer(let integer): status = sqlite3_bind_int64(statement, index, integer)
        case .real(let real): status = sqlite3_bind_double(statement, index, real)
        case .text(let text):
            status = callcoach_sqlite_bind_text(statement, index, text, Int32(text.utf8.count))
        case .blob(let bytes):
            status = bytes.withUnsafeBytes {
                callcoach_sqlite_bind_blob(
                    statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count))
            }
        }
        guard status == SQLITE_OK else { throw error(status) }
    }

    private func step(_ statement: OpaquePointer) throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let status: throw error(status)
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> DatabaseValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, index))
            let bytes = UnsafeRawBufferPointer(start: sqlite3_column_text(statement, index), count: count)
            return .text(String(decoding: bytes, as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let pointer = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob([UInt8](UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }

    /// A store error for `status`, carrying the engine's code but not its message, which can quote values.
    private func error(_ status: Int32) -> DatabaseError {
        let code: DatabaseError.Code =
            switch status & 0xFF {
            case SQLITE_BUSY, SQLITE_LOCKED: .busy
            case SQLITE_CONSTRAINT: .constraint
            case SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_IOERR, SQLITE_READONLY: .unavailable
            default: .engine
            }
        return DatabaseError(code, detail: "sqlite code \(status)")
    }
}

import CallCoachStore
import CallCoachTelemetry

/// What `callcoach migrate` does.
public enum DatabaseCommands {
    /// Applies pending migrations to the data directory's database and returns their versions.
    public static func migrate(_ configuration: Configuration, logger: Logger) async throws -> [Int] {
        let directory = DataDirectory(path: configuration.dataDirectory)
        try directory.create()
        let database = try SQLiteDatabase(path: directory.databasePath)
        defer { database.close() }
        return try await Migrator(logger: logger).migrate(database)
    }
}

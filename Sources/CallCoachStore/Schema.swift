/// The product's schema, as an ordered list of migrations shared by every backend.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(
            1, "companies",
            sql: """
                CREATE TABLE companies (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                );
                """)
    ]
}

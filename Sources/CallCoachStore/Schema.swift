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
                """),
        Migration(2, "identity", sql: identity),
        Migration(3, "audit log", sql: audit),
        Migration(4, "platform operators and support grants", sql: support),
        Migration(5, "row-level security", sql: { $0 == .postgres ? RowLevelSecurity.migration : "" }),
        Migration(6, "outbox claims", sql: "ALTER TABLE outbox ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0;"),
        Migration(
            7, "rate-limit counters",
            sql: """
                CREATE TABLE rate_limit_counters (
                    key TEXT NOT NULL,
                    window_start BIGINT NOT NULL,
                    count BIGINT NOT NULL,
                    PRIMARY KEY (key, window_start)
                );
                """),
        Migration(8, "edge protections and the platform audit log", sql: edge),
        Migration(9, "calls, blobs and the job queue", sql: calls),
        Migration(10, "row-level security for calls", sql: { $0 == .postgres ? RowLevelSecurity.callsMigration : "" }),
        Migration(
            11, "AI configuration",
            sql: { dialect in
                """
                CREATE TABLE ai_configurations (
                    company_id TEXT PRIMARY KEY REFERENCES companies (id),
                    transcriber TEXT NOT NULL,
                    base_url TEXT,
                    model TEXT,
                    api_key_sealed TEXT,
                    llm_base_url TEXT,
                    llm_model TEXT,
                    llm_api_key_sealed TEXT,
                    updated_at BIGINT NOT NULL,
                    updated_by TEXT NOT NULL
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.aiTables) : "")
            }),
        Migration(
            12, "utterance embeddings",
            sql: { dialect in
                """
                CREATE TABLE call_embeddings (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    call_id TEXT NOT NULL REFERENCES calls (id),
                    utterance_id TEXT NOT NULL,
                    chunk BIGINT NOT NULL,
                    model TEXT NOT NULL,
                    vector \(dialect == .postgres ? "BYTEA" : "BLOB") NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (company_id, call_id, utterance_id, chunk)
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.embeddingTables) : "")
            }),
        Migration(
            13, "scorecards and evaluations",
            sql: { dialect in
                """
                CREATE TABLE scorecards (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    id TEXT NOT NULL,
                    version BIGINT NOT NULL,
                    name TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    active BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    created_by TEXT NOT NULL,
                    PRIMARY KEY (company_id, id, version)
                );
                CREATE TABLE evaluations (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    call_id TEXT NOT NULL REFERENCES calls (id),
                    scorecard_id TEXT NOT NULL,
                    scorecard_version BIGINT NOT NULL,
                    total DOUBLE PRECISION,
                    complete BIGINT NOT NULL,
                    result TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (company_id, call_id, scorecard_id)
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.scoringTables) : "")
            }),
        Migration(
            14, "compliance packs and findings",
            sql: { dialect in
                """
                CREATE TABLE compliance_settings (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    pack_id TEXT NOT NULL,
                    enabled BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    updated_by TEXT NOT NULL,
                    PRIMARY KEY (company_id, pack_id)
                );
                CREATE TABLE findings (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    call_id TEXT NOT NULL REFERENCES calls (id),
                    pack_id TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    pack_version BIGINT NOT NULL,
                    severity TEXT NOT NULL,
                    finding TEXT NOT NULL,
                    follow_up_due BIGINT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (company_id, call_id, pack_id, rule_id)
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.complianceTables) : "")
            }),
        Migration(
            15, "comments and coaching",
            sql: { dialect in
                """
                CREATE TABLE call_comments (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    id TEXT NOT NULL,
                    call_id TEXT NOT NULL REFERENCES calls (id),
                    author_id TEXT NOT NULL,
                    at_seconds DOUBLE PRECISION NOT NULL,
                    text TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (company_id, id)
                );
                CREATE TABLE coaching_assignments (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    id TEXT NOT NULL,
                    call_id TEXT NOT NULL REFERENCES calls (id),
                    agent_id TEXT NOT NULL,
                    criteria TEXT NOT NULL,
                    note TEXT,
                    assigned_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    done_at BIGINT,
                    PRIMARY KEY (company_id, id)
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.coachingTables) : "")
            }),
        Migration(
            16, "calibration sessions",
            sql: { dialect in
                """
                CREATE TABLE calibrations (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    id TEXT NOT NULL,
                    call_id TEXT NOT NULL REFERENCES calls (id),
                    scorecard_id TEXT NOT NULL,
                    scorecard_version BIGINT NOT NULL,
                    graders TEXT NOT NULL,
                    scores TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (company_id, id)
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.calibrationTables) : "")
            }),
        Migration(
            17, "debt ids and follow-ups",
            sql: """
                ALTER TABLE calls ADD COLUMN debt_id TEXT;
                ALTER TABLE findings ADD COLUMN done_at BIGINT;
                ALTER TABLE findings ADD COLUMN done_by TEXT;
                """),
        Migration(
            18, "company compliance packs",
            sql: { dialect in
                """
                CREATE TABLE company_packs (
                    company_id TEXT NOT NULL REFERENCES companies (id),
                    id TEXT NOT NULL,
                    version BIGINT NOT NULL,
                    definition TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    created_by TEXT NOT NULL,
                    PRIMARY KEY (company_id, id, version)
                );
                """ + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.companyPackTables) : "")
            }),
        Migration(
            19, "notification policies",
            sql: { dialect in
                """
                CREATE TABLE notification_policies (
                    company_id TEXT PRIMARY KEY REFERENCES companies (id),
                    policy TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    updated_by TEXT NOT NULL
                );
                """
                    + (dialect == .postgres ? RowLevelSecurity.tenantPolicies(RowLevelSecurity.notificationTables) : "")
            }),
    ]

    /// Calls, the versions of every encrypted blob, key versions, and the job queue with its dead letters.
    static let calls = """
        CREATE TABLE key_versions (
            version BIGINT PRIMARY KEY,
            created_at BIGINT NOT NULL
        );
        INSERT INTO key_versions (version, created_at) VALUES (1, 0);
        CREATE TABLE blobs (
            company_id TEXT NOT NULL REFERENCES companies (id),
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            version BIGINT NOT NULL,
            key_version BIGINT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            superseded_at BIGINT,
            PRIMARY KEY (company_id, collection, id, version)
        );
        CREATE INDEX blobs_superseded ON blobs (superseded_at);
        CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL REFERENCES companies (id),
            agent_id TEXT,
            team_id TEXT,
            direction TEXT,
            started_at BIGINT,
            customer_phone TEXT,
            customer_time_zone TEXT,
            external_id TEXT,
            channel_map TEXT,
            source TEXT NOT NULL,
            media_format TEXT NOT NULL,
            status TEXT NOT NULL,
            progress BIGINT NOT NULL,
            failure TEXT,
            duration DOUBLE PRECISION,
            report TEXT,
            uploaded_by TEXT NOT NULL,
            idempotency_key TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (company_id, idempotency_key)
        );
        CREATE INDEX calls_company_created ON calls (company_id, created_at);
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL REFERENCES companies (id),
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            max_attempts BIGINT NOT NULL,
            run_at BIGINT NOT NULL,
            lease_owner TEXT,
            lease_until BIGINT NOT NULL,
            last_error TEXT,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX jobs_due ON jobs (run_at, lease_until);
        CREATE TABLE dead_letters (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL REFERENCES companies (id),
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            error TEXT NOT NULL,
            failed_at BIGINT NOT NULL
        );
        """

    /// Live rate-limit overrides, used attestation tokens, browser policy reports, demo requests,
    /// and the platform's own audit chain: platform data, outside any company.
    static let edge = """
        CREATE TABLE rate_limit_overrides (
            policy TEXT NOT NULL,
            company_id TEXT NOT NULL,
            max_requests BIGINT NOT NULL,
            window_seconds BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (policy, company_id)
        );
        CREATE TABLE attestation_tokens (
            token_hash TEXT PRIMARY KEY,
            expires_at BIGINT NOT NULL
        );
        CREATE TABLE csp_reports (
            id TEXT PRIMARY KEY,
            received_at BIGINT NOT NULL,
            document_path TEXT NOT NULL,
            directive TEXT NOT NULL,
            blocked TEXT NOT NULL
        );
        CREATE TABLE demo_requests (
            id TEXT PRIMARY KEY,
            created_at BIGINT NOT NULL,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            company TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE TABLE platform_audit_events (
            company_id TEXT NOT NULL,
            sequence BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_email TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            details TEXT NOT NULL,
            client_hash TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (company_id, sequence)
        );
        CREATE TABLE platform_audit_heads (
            company_id TEXT PRIMARY KEY,
            sequence BIGINT NOT NULL,
            hash TEXT NOT NULL
        );
        """

    /// Platform operators and the time-boxed grants through which they may read a company.
    static let support = """
        ALTER TABLE users ADD COLUMN platform_operator INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE support_grants (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL REFERENCES companies (id),
            operator_id TEXT NOT NULL REFERENCES users (id),
            granted_by TEXT NOT NULL REFERENCES users (id),
            reason TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        CREATE INDEX support_grants_company ON support_grants (company_id, operator_id);
        """

    /// The per-company, hash-chained audit log.
    static let audit = """
        CREATE TABLE audit_events (
            company_id TEXT NOT NULL REFERENCES companies (id),
            sequence BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            actor_id TEXT NOT NULL,
            actor_email TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            details TEXT NOT NULL,
            client_hash TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (company_id, sequence)
        );
        CREATE INDEX audit_events_action ON audit_events (company_id, action);
        CREATE TABLE audit_heads (
            company_id TEXT PRIMARY KEY REFERENCES companies (id),
            sequence BIGINT NOT NULL,
            hash TEXT NOT NULL
        );
        """

    /// Users, memberships, sessions, refresh tokens, one-time tokens, lockout counters and the outbox.
    static let identity = """
        ALTER TABLE companies ADD COLUMN requires_mfa INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            password_hash TEXT,
            status TEXT NOT NULL,
            mfa_secret TEXT,
            mfa_enabled INTEGER NOT NULL DEFAULT 0,
            mfa_last_step BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE teams (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL REFERENCES companies (id),
            name TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE TABLE memberships (
            company_id TEXT NOT NULL REFERENCES companies (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            role TEXT NOT NULL,
            capabilities TEXT NOT NULL DEFAULT '',
            created_at BIGINT NOT NULL,
            PRIMARY KEY (company_id, user_id)
        );
        CREATE INDEX memberships_user ON memberships (user_id);
        CREATE TABLE team_members (
            team_id TEXT NOT NULL REFERENCES teams (id),
            company_id TEXT NOT NULL REFERENCES companies (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            PRIMARY KEY (team_id, user_id)
        );
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id),
            created_at BIGINT NOT NULL,
            last_used_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            revoked_at BIGINT,
            revoked_reason TEXT,
            mfa_enrollment_only INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sessions_user ON sessions (user_id);
        CREATE TABLE refresh_tokens (
            token_hash TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id),
            created_at BIGINT NOT NULL,
            rotated_at BIGINT
        );
        CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
        CREATE TABLE one_time_tokens (
            token_hash TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,
            user_id TEXT,
            company_id TEXT,
            email TEXT,
            role TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT
        );
        CREATE TABLE recovery_codes (
            user_id TEXT NOT NULL REFERENCES users (id),
            code_hash TEXT NOT NULL,
            used_at BIGINT,
            PRIMARY KEY (user_id, code_hash)
        );
        CREATE TABLE login_throttles (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            level INTEGER NOT NULL,
            locked_until BIGINT NOT NULL,
            last_failure_at BIGINT NOT NULL
        );
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            sent_at BIGINT,
            failed_at BIGINT,
            last_error TEXT
        );
        """
}

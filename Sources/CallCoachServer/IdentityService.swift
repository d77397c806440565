import CallCoachCore
import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

/// Sign-in, sessions and tokens: everything that turns credentials into a verified principal.
public final class IdentityService: Sendable {
    public struct Settings: Sendable {
        public var accessTokenLifetime: Int64 = 3600
        public var sessionLifetime: TimeInterval = 30 * 86_400
        public var idleTimeout: TimeInterval = 86_400
        /// Where links in e-mails point, without a trailing slash.
        public var publicURL: String
        public var hasher = PasswordHasher()

        public init(publicURL: String) {
            self.publicURL = publicURL
        }
    }

    /// The access and refresh tokens of a session.
    public struct TokenPair: Encodable, Sendable {
        public let accessToken: String
        public let refreshToken: String
        public let expiresIn: Int64
        public let tokenType = "Bearer"
        /// Present and true when the session may only be used to enrol in MFA.
        public let mfaEnrollmentRequired: Bool?
    }

    public enum LoginOutcome: Sendable {
        case signedIn(TokenPair)
        case mfaRequired(token: String)
    }

    /// Who a verified request is from.
    public struct Principal: Sendable, Equatable {
        public let userID: String
        public let sessionID: String
        public let enrollmentOnly: Bool
    }

    let database: any Database
    let keys: KeyRing
    let settings: Settings
    let logger: Logger
    let metrics: Metrics
    let clock: @Sendable () -> Date
    /// A hash of nothing in particular, verified when the account does not exist so that an
    /// unknown e-mail costs the same time as a wrong password.
    private let decoyHash: String

    public init(
        database: any Database, keys: KeyRing, settings: Settings, logger: Logger, metrics: Metrics,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.database = database
        self.keys = keys
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        decoyHash = try settings.hasher.hash(Base64URL.encode(SecureRandom.bytes(16)))
    }

    // MARK: Sign-in

    /// Checks a password sign-in, with progressive lockout per e-mail and per client address.
    public func login(email: String, password: String, remoteAddress: String?) async throws -> LoginOutcome {
        let now = clock()
        let address = EmailAddress(email)
        let emailKey = keys.identityHash("email", address?.value ?? email.lowercased())
        let addressKey = keys.identityHash("ip", remoteAddress ?? "unknown")
        let seconds = Int64(now.timeIntervalSince1970)
        // The attempt is counted as a failure before the password is checked, in the same locked
        // transaction as the lock check, so parallel guesses cannot all slip in before the count.
        let reservation = try await reserveAttempt(keys: [emailKey, addressKey], at: seconds)
        guard let reservation else {
            reject("auth.login.locked", metric: "callcoach_auth_lockouts_total")
            throw IdentityError(
                .locked, retryAfter: try await lockRemaining(keys: [emailKey, addressKey], at: seconds))
        }
        let user = try await database.read { connection in
            try address.flatMap { try IdentityRecords.user(email: $0, connection) }
        }
        let hash = user?.passwordHash ?? decoyHash
        let hasher = settings.hasher
        let matches = try await BlockingWork.run { hasher.verify(password, against: hash) }
        guard matches, let user, user.passwordHash != nil, user.status == .active else {
            reject("auth.login.failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidCredentials)
        }
        try await settle(reservation, clearing: emailKey)
        try await upgradeHashIfNeeded(hash, password: password, userID: user.id)
        if user.mfaEnabled {
            let token = try await issueOneTimeToken(
                "ccm_", OneTimeToken(purpose: .mfaChallenge, userID: user.id, expiresAt: now.addingTimeInterval(300)))
            logger.info("auth.login.mfa_challenge", "", [.userID: .string(user.id)])
            return .mfaRequired(token: token)
        }
        return .signedIn(try await startSession(userID: user.id))
    }

    /// Completes a sign-in that needs a second factor: a TOTP code or a recovery code.
    /// `beforeAttempt` runs once the challenge's account is known, before the code is checked
    /// (the per-account rate limit).
    func completeMFA(
        challenge: String, code: String, beforeAttempt: @Sendable (_ userID: String) async throws -> Void = { _ in }
    ) async throws -> TokenPair {
        let now = clock()
        let hash = Self.tokenHash(challenge)
        guard
            let token = try await database.read({
                try OneTimeToken.find(hash: hash, purpose: .mfaChallenge, now: now, $0)
            }), let userID = token.userID
        else {
            reject("auth.mfa.failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidToken)
        }
        try await beforeAttempt(userID)
        try await verifySecondFactor(userID: userID, code: code)
        guard
            try await database.write({ try OneTimeToken.consume(hash: hash, purpose: .mfaChallenge, now: now, $0) })
                != nil
        else { throw IdentityError(.invalidToken) }
        return try await startSession(userID: userID)
    }

    /// Exchanges a refresh token for a new pair. A token that was already exchanged revokes the
    /// whole session: someone else holds a copy.
    public func refresh(_ refreshToken: String) async throws -> TokenPair {
        let now = clock()
        let hash = Self.tokenHash(refreshToken)
        let idleTimeout = settings.idleTimeout
        enum Outcome: Sendable {
            case rotated(SessionRecord)
            case reused(userID: String)
            case invalid
        }
        let outcome = try await database.write { connection -> Outcome in
            guard let found = try SessionRecords.refreshToken(hash: hash, connection),
                let session = try SessionRecords.session(id: found.sessionID, connection)
            else { return .invalid }
            if found.rotated {
                try SessionRecords.revoke(sessionID: session.id, reason: "refresh_token_reuse", connection)
                return .reused(userID: session.userID)
            }
            guard session.isLive(at: now, idleTimeout: idleTimeout),
                try IdentityRecords.user(id: session.userID, connection)?.status == .active,
                try SessionRecords.rotateRefreshToken(hash: hash, connection)
            else { return .invalid }
            try SessionRecords.touch(sessionID: session.id, at: now, connection)
            return .rotated(session)
        }
        switch outcome {
        case .rotated(let session):
            return try await issueTokens(for: session)
        case .reused(let userID):
            logger.warning(
                "auth.refresh.reuse", "a rotated refresh token was presented again; the session was revoked",
                [.userID: .string(userID)])
            metrics.increment("callcoach_auth_refresh_reuse_total")
            throw IdentityError(.invalidToken)
        case .invalid:
            reject("auth.refresh.failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidToken)
        }
    }

    // MARK: Verification

    /// Verifies an access token and looks its session up, so a revoked session fails at once.
    public func authenticate(accessToken: String) async throws -> Principal {
        let now = clock()
        let claims: AccessTokenClaims
        do {
            claims = try keys.tokenSigner.verify(accessToken, now: Int64(now.timeIntervalSince1970))
        } catch {
            logger.info("auth.token.rejected", "", [.reason: .string(error.reason)])
            metrics.increment("callcoach_auth_token_rejections_total")
            throw IdentityError(.invalidToken)
        }
        let idleTimeout = settings.idleTimeout
        let session = try await database.read { connection -> SessionRecord? in
            guard let session = try SessionRecords.session(id: claims.sid, connection), session.userID == claims.sub,
                session.isLive(at: now, idleTimeout: idleTimeout),
                try IdentityRecords.user(id: session.userID, connection)?.status == .active
            else { return nil }
            return session
        }
        guard let session else {
            logger.info("auth.token.rejected", "", [.reason: .string("session"), .userID: .string(claims.sub)])
            metrics.increment("callcoach_auth_token_rejections_total")
            throw IdentityError(.invalidToken)
        }
        if now.timeIntervalSince(session.lastUsedAt) > 60 {
            try await database.write { try SessionRecords.touch(sessionID: session.id, at: now, $0) }
        }
        return Principal(userID: session.userID, sessionID: session.id, enrollmentOnly: session.enrollmentOnly)
    }

    // MARK: Sessions

    /// Ends the principal's session.
    public func logout(_ principal: Principal) async throws {
        try await database.write { try SessionRecords.revoke(sessionID: principal.sessionID, reason: "logout", $0) }
        logger.info("auth.logout", "", [.userID: .string(principal.userID)])
    }

    /// Ends every session of the principal's user.
    public func logoutEverywhere(_ principal: Principal) async throws {
        try await database.write { try SessionRecords.revokeAll(userID: principal.userID, reason: "logout_all", $0) }
        logger.info("auth.logout_all", "", [.userID: .string(principal.userID)])
    }

    /// The user's open sessions.
    public func sessions(of principal: Principal) async throws -> [SessionRecord] {
        let now = clock()
        let idleTimeout = settings.idleTimeout
        return try await database.read { try SessionRecords.openSessions(userID: principal.userID, now: now, $0) }
            .filter { $0.isLive(at: now, idleTimeout: idleTimeout) }
    }

    /// Revokes one of the user's own sessions; another user's session is "not found".
    public func revokeSession(_ sessionID: String, of principal: Principal) async throws {
        let revoked = try await database.write { connection -> Bool in
            guard try SessionRecords.session(id: sessionID, connection)?.userID == principal.userID else {
                return false
            }
            return try SessionRecords.revoke(sessionID: sessionID, reason: "revoked_by_user", connection)
        }
        guard revoked else { throw IdentityError(.notFound) }
    }

    /// Starts a session for a user who has proven who they are, and issues its first tokens.
    func startSession(userID: String) async throws -> TokenPair {
        let now = clock()
        let lifetime = settings.sessionLifetime
        let session = try await database.write(.user(userID)) { connection -> SessionRecord in
            let memberships = try IdentityRecords.memberships(userID: userID, connection)
            let user = try IdentityRecords.user(id: userID, connection)
            let enrollmentOnly = user?.mfaEnabled == false && memberships.contains { $0.company.requiresMFA }
            let session = SessionRecord(
                id: Identifier.make(), userID: userID, createdAt: now, lastUsedAt: now,
                expiresAt: now.addingTimeInterval(lifetime), enrollmentOnly: enrollmentOnly)
            try SessionRecords.insert(session, connection)
            return session
        }
        logger.info("auth.session.started", "", [.userID: .string(userID)])
        return try await issueTokens(for: session)
    }

    private func issueTokens(for session: SessionRecord) async throws -> TokenPair {
        let now = Int64(clock().timeIntervalSince1970)
        let refreshToken = "ccr_" + Base64URL.encode(SecureRandom.bytes(32))
        let hash = Self.tokenHash(refreshToken)
        try await database.write { try SessionRecords.insertRefreshToken(hash: hash, sessionID: session.id, $0) }
        let claims = AccessTokenClaims(
            sub: session.userID, sid: session.id, jti: Base64URL.encode(SecureRandom.bytes(16)), iat: now,
            exp: now + settings.accessTokenLifetime, iss: keys.tokenSigner.issuer, aud: keys.tokenSigner.audience)
        return TokenPair(
            accessToken: try keys.tokenSigner.sign(claims), refreshToken: refreshToken,
            expiresIn: settings.accessTokenLifetime, mfaEnrollmentRequired: session.enrollmentOnly ? true : nil)
    }

    // MARK: Helpers

    /// The stored form of a bearer secret: SHA-256, since the secret itself has 256 bits of entropy.
    static func tokenHash(_ token: String) -> String {
        Hex.encode(SHA256.hash(Array(token.utf8)))
    }

    /// Creates a single-use token and returns its secret form, prefixed so scanners can spot leaks.
    func issueOneTimeToken(_ prefix: String, _ token: OneTimeToken) async throws -> String {
        let secret = prefix + Base64URL.encode(SecureRandom.bytes(32))
        let hash = Self.tokenHash(secret)
        try await database.write { try OneTimeToken.insert(token, hash: hash, $0) }
        return secret
    }

    /// A counted attempt: each key's state before and after the tentative failure.
    struct Reservation: Sendable {
        let states: [String: (before: LoginThrottle, after: LoginThrottle)]
        /// The keys in the order their rows were locked; settling locks them in the same order,
        /// so two transactions never wait on each other's rows.
        let order: [String]
    }

    /// Counts an attempt as a failure on every key unless one is locked; `nil` when locked.
    func reserveAttempt(keys throttleKeys: [String], at now: Int64) async throws -> Reservation? {
        try await database.write { connection -> Reservation? in
            var states: [String: (before: LoginThrottle, after: LoginThrottle)] = [:]
            for key in throttleKeys {
                let before = try ThrottleRecords.lockedState(key: key, connection)
                if before.lockRemaining(at: now) != nil { return nil }
                states[key] = (before, before.recordingFailure(at: now))
            }
            for (key, state) in states { try ThrottleRecords.save(state.after, key: key, connection) }
            return Reservation(states: states, order: throttleKeys)
        }
    }

    /// Undoes a reservation once the attempt succeeded: `clearing` starts afresh; every other key
    /// returns to its state before the attempt, or, if others counted meanwhile, forgives one.
    func settle(_ reservation: Reservation, clearing: String) async throws {
        try await database.write { connection in
            for key in reservation.order {
                guard let state = reservation.states[key] else { continue }
                if key == clearing {
                    try ThrottleRecords.clear(key: key, connection)
                    continue
                }
                let current = try ThrottleRecords.lockedState(key: key, connection)
                try ThrottleRecords.save(
                    current == state.after ? state.before : current.forgivingOneFailure(), key: key, connection)
            }
        }
    }

    /// The longest lock among `keys`, in seconds.
    func lockRemaining(keys throttleKeys: [String], at now: Int64) async throws -> Int64 {
        try await database.read { connection in
            try throttleKeys.compactMap { try ThrottleRecords.state(key: $0, connection).lockRemaining(at: now) }.max()
                ?? 60
        }
    }

    func reject(_ event: StaticString, metric: StaticString) {
        logger.info(event)
        metrics.increment(metric)
    }

    private func upgradeHashIfNeeded(_ hash: String, password: String, userID: String) async throws {
        let hasher = settings.hasher
        guard hasher.needsRehash(hash) else { return }
        let upgraded = try await BlockingWork.run { try hasher.hash(password) }
        try await database.write { try IdentityRecords.setPasswordHash(upgraded, userID: userID, $0) }
        logger.info("auth.password.rehashed", "", [.userID: .string(userID)])
    }
}

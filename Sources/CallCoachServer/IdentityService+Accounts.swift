import CallCoachCore
import CallCoachCrypto
import CallCoachStore
import Foundation

extension IdentityService {
    /// The signed-in user and where they belong, as `GET /api/v1/me` shows it.
    public struct Profile: Encodable, Sendable {
        public struct MembershipView: Encodable, Sendable {
            public let companyId: String
            public let companyName: String
            public let role: String
            public let teamIds: [String]
        }

        public let id: String
        public let email: String
        public let displayName: String
        public let mfaEnabled: Bool
        public let mfaEnrollmentRequired: Bool
        public let memberships: [MembershipView]
    }

    public func profile(_ principal: Principal) async throws -> Profile {
        let (user, memberships) = try await database.read(.user(principal.userID)) { connection in
            (
                try IdentityRecords.user(id: principal.userID, connection),
                try IdentityRecords.memberships(userID: principal.userID, connection)
            )
        }
        guard let user else { throw IdentityError(.invalidToken) }
        return Profile(
            id: user.id, email: user.email.value, displayName: user.displayName, mfaEnabled: user.mfaEnabled,
            mfaEnrollmentRequired: principal.enrollmentOnly,
            memberships: memberships.map {
                .init(
                    companyId: $0.company.id, companyName: $0.company.name, role: $0.membership.role.rawValue,
                    teamIds: $0.membership.teamIDs)
            })
    }

    // MARK: Passwords

    /// Whether a new password is acceptable: 12 to 256 characters.
    static func validate(newPassword: String) throws {
        guard (12...256).contains(newPassword.count) else { throw IdentityError(.weakPassword) }
    }

    /// Checks the principal's current password, counting failures against the account's lockout.
    func confirmPassword(_ principal: Principal, _ password: String) async throws {
        let user = try await database.read { try IdentityRecords.user(id: principal.userID, $0) }
        guard let user, let hash = user.passwordHash else { throw IdentityError(.invalidCredentials) }
        let key = keys.identityHash("email", user.email.value)
        let seconds = Int64(clock().timeIntervalSince1970)
        guard let reservation = try await reserveAttempt(keys: [key], at: seconds) else {
            throw IdentityError(.locked, retryAfter: try await lockRemaining(keys: [key], at: seconds))
        }
        let hasher = settings.hasher
        guard try await BlockingWork.run({ hasher.verify(password, against: hash) }) else {
            reject("auth.password.confirm_failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidCredentials)
        }
        try await settle(reservation, clearing: key)
    }

    /// Changes the password, ends every session and starts a new one for the caller.
    public func changePassword(_ principal: Principal, current: String, new: String) async throws -> TokenPair {
        try Self.validate(newPassword: new)
        try await confirmPassword(principal, current)
        let hasher = settings.hasher
        let hash = try await BlockingWork.run { try hasher.hash(new) }
        try await database.write { connection in
            try IdentityRecords.setPasswordHash(hash, userID: principal.userID, connection)
            try SessionRecords.revokeAll(userID: principal.userID, reason: "password_changed", connection)
        }
        logger.info("auth.password.changed", "", [.userID: .string(principal.userID)])
        return try await startSession(userID: principal.userID)
    }

    /// Sends a single-use reset link valid for 30 minutes, if the address belongs to an active
    /// account. The caller answers the same either way.
    public func requestPasswordReset(email: String, mail: Mailer) async throws {
        guard let address = EmailAddress(email),
            let user = try await database.read({ try IdentityRecords.user(email: address, $0) }), user.status == .active
        else {
            logger.info("auth.password_reset.unknown")
            return
        }
        let secret = "ccp_" + Base64URL.encode(SecureRandom.bytes(32))
        let hash = Self.tokenHash(secret)
        let token = OneTimeToken(purpose: .passwordReset, userID: user.id, expiresAt: clock().addingTimeInterval(1800))
        let link = settings.publicURL + "/reset-password#token=" + secret
        try await database.write { connection in
            try OneTimeToken.voidAll(purpose: .passwordReset, userID: user.id, connection)
            try OneTimeToken.insert(token, hash: hash, connection)
            try mail.enqueue(
                to: user.email.value, subject: "Reset your CallCoach password",
                body: """
                    Someone asked to reset the password of your CallCoach account.

                    To choose a new password, open this link within 30 minutes:
                    \(link)

                    If it was not you, ignore this message; your password stays as it is.
                    """, connection)
        }
        logger.info("auth.password_reset.requested", "", [.userID: .string(user.id)])
    }

    /// Sets a new password from a reset link, ends every session and lifts the account's lockout.
    public func resetPassword(token: String, newPassword: String) async throws {
        try Self.validate(newPassword: newPassword)
        let hasher = settings.hasher
        let hash = try await BlockingWork.run { try hasher.hash(newPassword) }
        let now = clock()
        let keys = self.keys
        let userID = try await database.write { connection -> String? in
            guard
                let found = try OneTimeToken.consume(
                    hash: Self.tokenHash(token), purpose: .passwordReset, now: now, connection),
                let userID = found.userID, let user = try IdentityRecords.user(id: userID, connection)
            else { return nil }
            try IdentityRecords.setPasswordHash(hash, userID: userID, connection)
            try SessionRecords.revokeAll(userID: userID, reason: "password_reset", connection)
            try ThrottleRecords.clear(key: keys.identityHash("email", user.email.value), connection)
            return userID
        }
        guard let userID else {
            reject("auth.password_reset.failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidToken)
        }
        logger.info("auth.password_reset.completed", "", [.userID: .string(userID)])
    }

    // MARK: Companies and invitations

    /// Invites an e-mail address into a company with a role no higher than the inviter's own.
    public func invite(
        _ scope: TenantScope, email: String, role: String, mail: Mailer, clientAddress: String?
    ) async throws {
        try require(scope, .inviteUsers)
        guard let address = EmailAddress(email), let role = Role(name: role) else {
            throw IdentityError(.invalidRequest)
        }
        guard role <= scope.membership.role else { throw IdentityError(.forbidden) }
        let company = try await database.read(scope.context) { try IdentityRecords.company(id: scope.companyID, $0) }
        guard let company else { throw IdentityError(.notFound) }
        try await sendInvitation(company: company, email: address, role: role, mail: mail, context: scope.context) {
            connection in
            try self.audit(
                scope, "invitation.sent", target: address.value, details: ["role": role.rawValue],
                clientAddress: clientAddress, connection)
        }
    }

    /// Creates the invitation token and its e-mail; returns the link.
    @discardableResult
    func sendInvitation(
        company: Company, email: EmailAddress, role: Role, mail: Mailer?, context: AccessContext = .global,
        alongside: @escaping @Sendable (any DatabaseConnection) throws -> Void = { _ in }
    ) async throws -> String {
        let secret = "cci_" + Base64URL.encode(SecureRandom.bytes(32))
        let hash = Self.tokenHash(secret)
        let token = OneTimeToken(
            purpose: .invitation, companyID: company.id, email: email.value, role: role.rawValue,
            expiresAt: clock().addingTimeInterval(7 * 86_400))
        let link = settings.publicURL + "/invitations/accept#token=" + secret
        try await database.write(context) { connection in
            try OneTimeToken.insert(token, hash: hash, connection)
            try alongside(connection)
            try mail?.enqueue(
                to: email.value, subject: "You are invited to \(company.name) on CallCoach",
                body: """
                    You have been invited to join \(company.name) on CallCoach.

                    To accept, open this link within 7 days:
                    \(link)
                    """, connection)
        }
        return link
    }

    /// Accepts an invitation: a new person sets a password and is signed in; someone who already
    /// has an account joins the company and signs in as usual.
    public func acceptInvitation(token: String, password: String?, displayName: String?) async throws -> TokenPair? {
        let now = clock()
        let hash = Self.tokenHash(token)
        guard
            let pending = try await database.read({
                try OneTimeToken.find(hash: hash, purpose: .invitation, now: now, $0)
            }),
            let email = pending.email.flatMap(EmailAddress.init), let companyID = pending.companyID,
            let role = pending.role.flatMap(Role.init(name:))
        else {
            reject("auth.invitation.failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidToken)
        }
        let existing = try await database.read { try IdentityRecords.user(email: email, $0) }
        var newHash: String?
        if existing == nil {
            guard let password else { throw IdentityError(.invalidRequest) }
            try Self.validate(newPassword: password)
            let hasher = settings.hasher
            newHash = try await BlockingWork.run { try hasher.hash(password) }
        }
        let passwordHash = newHash
        let name = displayName?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(100)
        // The new member's row is written inside the inviting company's context.
        let newUserID = existing?.id ?? Identifier.make()
        let userID = try await database.write(.company(companyID, actor: newUserID)) { connection -> String? in
            guard try OneTimeToken.consume(hash: hash, purpose: .invitation, now: now, connection) != nil else {
                return nil
            }
            let userID: String
            if let user = try IdentityRecords.user(email: email, connection) {
                userID = user.id
            } else {
                userID = newUserID
                let user = User(
                    id: userID, email: email, displayName: name.map(String.init) ?? email.value,
                    passwordHash: passwordHash,
                    createdAt: now)
                try IdentityRecords.insert(user, connection)
            }
            // Joining never changes an existing member's role: that is a role change, with its own rules.
            try IdentityRecords.insertIfAbsent(Membership(companyID: companyID, userID: userID, role: role), connection)
            return userID
        }
        guard let userID else { throw IdentityError(.invalidToken) }
        logger.info("auth.invitation.accepted", "", [.userID: .string(userID), .companyID: .string(companyID)])
        return existing == nil ? try await startSession(userID: userID) : nil
    }

    /// Creates a company and its first administrator: with a password, the account is ready;
    /// without, the returned invitation link lets the person set one.
    public func createCompany(name: String, adminEmail: String, password: String?, mail: Mailer? = nil) async throws
        -> (
            company: Company, invitationLink: String?
        )
    {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(trimmed.count), let email = EmailAddress(adminEmail) else {
            throw IdentityError(.invalidRequest)
        }
        let now = clock()
        let company = Company(id: Identifier.make(), name: trimmed, createdAt: now)
        guard let password else {
            try await database.write(.platform) { try IdentityRecords.insert(company, $0) }
            return (company, try await sendInvitation(company: company, email: email, role: .admin, mail: mail))
        }
        try Self.validate(newPassword: password)
        let hasher = settings.hasher
        let hash = try await BlockingWork.run { try hasher.hash(password) }
        try await database.write(.platform) { connection in
            try IdentityRecords.insert(company, connection)
            let userID: String
            if let user = try IdentityRecords.user(email: email, connection) {
                userID = user.id
            } else {
                userID = Identifier.make()
                try IdentityRecords.insert(
                    User(id: userID, email: email, displayName: email.value, passwordHash: hash, createdAt: now),
                    connection)
            }
            try IdentityRecords.upsert(Membership(companyID: company.id, userID: userID, role: .admin), connection)
        }
        return (company, nil)
    }

    /// Requires (or stops requiring) MFA for a company's members. Members without MFA are held
    /// to enrolment from their next request.
    public func setRequiresMFA(_ scope: TenantScope, required: Bool, clientAddress: String?) async throws {
        try require(scope, .enforceMFA)
        try await database.write(scope.context) { connection in
            try IdentityRecords.setRequiresMFA(required, companyID: scope.companyID, connection)
            try self.audit(
                scope, "mfa.policy_changed", target: scope.companyID, details: ["required": String(required)],
                clientAddress: clientAddress, connection)
            guard required else { return }
            try connection.execute(
                """
                UPDATE sessions SET mfa_enrollment_only = 1 WHERE revoked_at IS NULL AND user_id IN (\
                SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id \
                WHERE m.company_id = \(scope.companyID) AND u.mfa_enabled = 0)
                """)
        }
    }
}

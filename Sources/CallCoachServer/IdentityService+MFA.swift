import CallCoachCore
import CallCoachCrypto
import CallCoachStore
import Foundation

extension IdentityService {
    /// What a user needs to add CallCoach to an authenticator app.
    public struct Enrollment: Encodable, Sendable {
        public let secret: String
        public let otpauthURI: String
        public let qrCodeSVG: String
    }

    /// Starts TOTP enrolment with a fresh secret; MFA stays off until a first code confirms it.
    public func startEnrollment(_ principal: Principal) async throws -> Enrollment {
        let user = try await database.read { try IdentityRecords.user(id: principal.userID, $0) }
        guard let user else { throw IdentityError(.invalidToken) }
        guard !user.mfaEnabled else { throw IdentityError(.conflict) }
        let secret = SecureRandom.bytes(20)
        let sealed = try sealSecret(secret, userID: user.id)
        try await database.write { try MFARecords.setPendingSecret(sealed, userID: user.id, $0) }
        let encoded = Base32.encode(secret)
        let label = "CallCoach:" + (user.email.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let uri = "otpauth://totp/\(label)?secret=\(encoded)&issuer=CallCoach&algorithm=SHA1&digits=6&period=30"
        logger.info("auth.mfa.enrollment_started", "", [.userID: .string(user.id)])
        return Enrollment(secret: encoded, otpauthURI: uri, qrCodeSVG: QRCode.svg(uri) ?? "")
    }

    /// Confirms enrolment with a first code, turns MFA on and returns ten single-use recovery codes.
    public func confirmEnrollment(_ principal: Principal, code: String) async throws -> [String] {
        try await verifySecondFactor(userID: principal.userID, code: code, allowRecoveryCodes: false, pending: true)
        let codes = (0..<10).map { _ in Self.recoveryCode() }
        let hashes = codes.map(recoveryCodeHash)
        try await database.write { connection in
            try MFARecords.enable(userID: principal.userID, recoveryCodeHashes: hashes, connection)
            try SessionRecords.setEnrollmentOnly(false, userID: principal.userID, connection)
        }
        logger.info("auth.mfa.enabled", "", [.userID: .string(principal.userID)])
        return codes
    }

    /// Turns MFA off after the password is confirmed, and ends every session of the user.
    public func disableMFA(_ principal: Principal, password: String) async throws {
        try await confirmPassword(principal, password)
        try await database.write { connection in
            try MFARecords.disable(userID: principal.userID, connection)
            try SessionRecords.revokeAll(userID: principal.userID, reason: "mfa_reset", connection)
        }
        logger.info("auth.mfa.disabled", "", [.userID: .string(principal.userID)])
    }

    /// Checks a TOTP code (each time step accepted once only) or a recovery code (each used once),
    /// with its own lockout so codes cannot be guessed.
    func verifySecondFactor(
        userID: String, code: String, allowRecoveryCodes: Bool = true, pending: Bool = false
    ) async throws {
        let now = clock()
        let seconds = Int64(now.timeIntervalSince1970)
        let throttleKey = keys.identityHash("mfa", userID)
        // Counted before checking, like a password attempt, so parallel guesses cannot race the lock.
        guard let reservation = try await reserveAttempt(keys: [throttleKey], at: seconds) else {
            reject("auth.mfa.locked", metric: "callcoach_auth_lockouts_total")
            throw IdentityError(.locked, retryAfter: try await lockRemaining(keys: [throttleKey], at: seconds))
        }
        let stored = try await database.read { try MFARecords.sealedSecret(userID: userID, $0) }
        let trimmed = code.filter { !$0.isWhitespace }
        var accepted = false
        if trimmed.count == 6, let stored, let secret = try? openSecret(stored, userID: userID),
            let step = OneTimePassword.matchingStep(trimmed, secret: secret, at: seconds)
        {
            accepted = try await database.write { try MFARecords.acceptStep(step, userID: userID, $0) }
            if !accepted {
                logger.warning("auth.mfa.replay", "a TOTP code was presented twice", [.userID: .string(userID)])
            }
        } else if allowRecoveryCodes && !pending && trimmed.count >= 10 {
            let hash = recoveryCodeHash(trimmed)
            accepted = try await database.write { try MFARecords.useRecoveryCode(hash: hash, userID: userID, $0) }
            if accepted { logger.info("auth.mfa.recovery_code_used", "", [.userID: .string(userID)]) }
        }
        guard accepted else {
            reject("auth.mfa.failed", metric: "callcoach_auth_failures_total")
            throw IdentityError(.invalidCode)
        }
        try await settle(reservation, clearing: throttleKey)
    }

    func sealSecret(_ secret: [UInt8], userID: String) throws -> String {
        try AESGCM.sealText(secret, key: keys.mfaSecretKey, authenticating: Array(userID.utf8))
    }

    func openSecret(_ sealed: String, userID: String) throws -> [UInt8] {
        try AESGCM.openText(sealed, key: keys.mfaSecretKey, authenticating: Array(userID.utf8))
    }

    /// Ten base32 characters (50 bits) in two groups, e.g. `k3mfa-q7zrt`.
    static func recoveryCode() -> String {
        let text = Base32.encode(SecureRandom.bytes(7)).lowercased().prefix(10)
        return text.prefix(5) + "-" + text.suffix(5)
    }

    /// Recovery codes are keyed-hashed: without the server's key an offline guess is worthless.
    func recoveryCodeHash(_ code: String) -> String {
        keys.identityHash("recovery", code.lowercased().filter { $0.isLetter || $0.isNumber })
    }
}

import CallCoachCrypto
import CallCoachHTTP
import CallCoachStore
import CallCoachTelemetry
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Who vouches that a public request comes from a person's browser rather than a script.
public enum AttestationProvider: String, Sendable, Equatable {
    /// The built-in proof of work: the browser spends a little CPU on each public write.
    case proofOfWork = "pow"
    case turnstile
    case recaptcha

    /// The provider's public siteverify address.
    var defaultVerifyURL: String? {
        switch self {
        case .proofOfWork: nil
        case .turnstile: "https://challenges.cloudflare.com/turnstile/v0/siteverify"
        case .recaptcha: "https://www.google.com/recaptcha/api/siteverify"
        }
    }
}

/// Bot attestation for public write endpoints. The client sends its token in the
/// `CallCoach-Attestation` header: for proof of work, `CHALLENGE:SOLUTION`, where the challenge
/// comes from `POST /api/v1/public/challenge` and SHA-256 of the whole token starts with the
/// challenge's number of zero bits; for Turnstile and reCAPTCHA, the widget's response token.
final class Attestation: Sendable {
    static let header = "CallCoach-Attestation"
    /// How long a proof-of-work challenge stays valid.
    static let challengeLifetime: Int64 = 300

    let provider: AttestationProvider
    let difficulty: Int
    let secret: Secret?
    let verifyURL: URL?
    let key: [UInt8]
    let database: any Database
    let logger: Logger
    let metrics: Metrics
    let clock: @Sendable () -> Date

    init(
        _ configuration: Configuration, key: [UInt8], database: any Database, logger: Logger, metrics: Metrics,
        clock: @escaping @Sendable () -> Date
    ) throws {
        provider = configuration.attestationProvider
        difficulty = configuration.attestationDifficulty
        secret = configuration.attestationSecret
        verifyURL = (configuration.attestationVerifyURL ?? provider.defaultVerifyURL).flatMap(URL.init(string:))
        if provider != .proofOfWork && secret == nil {
            throw ConfigurationError("CALLCOACH_ATTESTATION_SECRET is required for \(provider.rawValue)")
        }
        self.key = key
        self.database = database
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
    }

    /// A signed proof-of-work challenge.
    struct Challenge: Encodable {
        let provider: String
        let challenge: String?
        let difficulty: Int?
        let algorithm: String?
        let expiresAt: Date?
    }

    func challenge() -> Challenge {
        guard provider == .proofOfWork else {
            return Challenge(
                provider: provider.rawValue, challenge: nil, difficulty: nil, algorithm: nil, expiresAt: nil)
        }
        let expires = Int64(clock().timeIntervalSince1970) + Self.challengeLifetime
        let body = "\(expires).\(difficulty).\(Base64URL.encode(SecureRandom.bytes(16)))"
        let challenge = body + "." + Base64URL.encode(mac(body))
        return Challenge(
            provider: provider.rawValue, challenge: challenge, difficulty: difficulty,
            algorithm: "sha256-leading-zero-bits",
            expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// Checks the request's attestation; `once` makes the token unusable afterwards.
    func verify(_ request: Request, once: Bool) async throws {
        guard let token = request.headers[Self.header], !token.isEmpty, token.utf8.count <= 4096 else {
            throw reject("missing")
        }
        let expires: Int64
        switch provider {
        case .proofOfWork:
            expires = try checkProofOfWork(token)
        case .turnstile, .recaptcha:
            try await checkWithProvider(token, remoteAddress: request.remoteAddress)
            expires = Int64(clock().timeIntervalSince1970) + Self.challengeLifetime
        }
        guard once else { return }
        let spent = Hex.encode(SHA256.hash(Array(token.utf8)))
        let fresh = try await database.write {
            try AttestationTokens.spend(tokenHash: spent, expiresAt: expires, $0)
        }
        guard fresh else { throw reject("replayed") }
    }

    /// The challenge's expiry, once its signature, lifetime and the work are all good.
    private func checkProofOfWork(_ token: String) throws -> Int64 {
        let halves = token.split(separator: ":", omittingEmptySubsequences: false)
        guard halves.count == 2, halves[1].utf8.count <= 32, halves[1].allSatisfy(\.isASCII) else {
            throw reject("malformed")
        }
        let parts = halves[0].split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let expires = Int64(parts[0]), let bits = Int(parts[1]), (1...64).contains(bits),
            let signature = Base64URL.decode(parts[3])
        else { throw reject("malformed") }
        let body = parts[0...2].joined(separator: ".")
        guard ConstantTime.equal(signature, mac(body)) else { throw reject("forged") }
        let now = Int64(clock().timeIntervalSince1970)
        guard now <= expires, expires - now <= Self.challengeLifetime else { throw reject("expired") }
        guard Self.leadingZeroBits(SHA256.hash(Array(token.utf8))) >= bits else { throw reject("insufficient_work") }
        return expires
    }

    /// Asks the provider's siteverify endpoint whether the widget's token is good. Fails closed.
    private func checkWithProvider(_ token: String, remoteAddress: String?) async throws {
        guard let verifyURL, let secret else { throw reject("unconfigured") }
        var form = URLComponents()
        form.queryItems = [
            URLQueryItem(name: "secret", value: secret.value), URLQueryItem(name: "response", value: token),
        ]
        if let remoteAddress { form.queryItems?.append(URLQueryItem(name: "remoteip", value: remoteAddress)) }
        var request = URLRequest(url: verifyURL, timeoutInterval: 5)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        // `+` survives URLComponents unescaped but means a space in a form body.
        request.httpBody = Data((form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B").utf8)
        struct Verdict: Decodable { let success: Bool }
        let verdict: Verdict
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw URLError(.badServerResponse) }
            verdict = try JSONDecoder().decode(Verdict.self, from: data)
        } catch {
            metrics.increment("callcoach_attestation_provider_failures_total")
            logger.error("attestation.provider_unavailable", "the attestation provider could not be asked; refusing")
            throw HTTPError(503, detail: "The service is temporarily unavailable.", headers: ["Retry-After": "5"])
        }
        guard verdict.success else { throw reject("provider_refused") }
    }

    private func mac(_ body: String) -> [UInt8] {
        HMAC.authenticationCode(.sha256, key: key, message: Array(body.utf8))
    }

    private func reject(_ reason: StaticString) -> HTTPError {
        metrics.increment("callcoach_attestation_rejections_total")
        logger.info("attestation.rejected", "", [.reason: .string(reason.description)])
        return HTTPError(
            403, detail: "This request needs a valid, unused attestation in the \(Self.header) header.",
            type: "https://callcoach.invalid/problems/attestation-required")
    }

    static func leadingZeroBits(_ digest: [UInt8]) -> Int {
        var bits = 0
        for byte in digest {
            if byte == 0 {
                bits += 8
                continue
            }
            return bits + byte.leadingZeroBitCount
        }
        return bits
    }
}

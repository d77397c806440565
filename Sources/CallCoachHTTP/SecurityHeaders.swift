import Foundation

/// The headers every response carries, whatever produced it: pages, the API, problems, redirects.
public struct SecurityHeaders: Sendable {
    /// `sha256-…` sources for the fixed inline scripts the pages embed.
    public var scriptHashes: [String]
    /// `sha256-…` sources for fixed inline styles.
    public var styleHashes: [String]
    /// Where browsers send violation reports; `nil` sends none.
    public var reportPath: String?

    public init(scriptHashes: [String] = [], styleHashes: [String] = [], reportPath: String? = nil) {
        self.scriptHashes = scriptHashes
        self.styleHashes = styleHashes
        self.reportPath = reportPath
    }

    /// Headers whose values never change.
    public static let fixed: [(name: String, value: String)] = [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        (
            "Permissions-Policy",
            "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), "
                + "geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), "
                + "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), "
                + "sync-xhr=(), usb=(), xr-spatial-tracking=()"
        ),
    ]

    /// The cache header of every response not on the cache allowlist.
    public static let noStore = "no-store"
    /// The cache header of fingerprinted static assets.
    public static let immutable = "public, max-age=31536000, immutable"

    /// The policy for a response. With a nonce, scripts and styles carrying it run; without one
    /// (cacheable assets, which must never carry a nonce) only same-origin files and the fixed hashes do.
    public func contentSecurityPolicy(nonce: String?) -> String {
        let nonceSource = nonce.map { " 'nonce-\($0)'" } ?? ""
        let scripts = scriptHashes.map { " '\($0)'" }.joined()
        let styles = styleHashes.map { " '\($0)'" }.joined()
        var directives = [
            "default-src 'none'",
            "script-src 'self'\(nonceSource)\(scripts)",
            "style-src 'self'\(nonceSource)\(styles)",
            "img-src 'self' data:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "font-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
        if let reportPath {
            directives.append("report-uri \(reportPath)")
            directives.append("report-to csp")
        }
        return directives.joined(separator: "; ")
    }

    /// Sets every security header on `response`; `cacheable` keeps the immutable cache header and leaves the nonce out.
    func apply(to response: inout Response, nonce: String, cacheable: Bool) {
        for (name, value) in Self.fixed { response.headers.set(name, value) }
        let cache = cacheable && response.status == 200
        response.headers.set("Cache-Control", cache ? Self.immutable : Self.noStore)
        response.headers.set("Content-Security-Policy", contentSecurityPolicy(nonce: cache ? nil : nonce))
        if let reportPath { response.headers.set("Reporting-Endpoints", "csp=\"\(reportPath)\"") }
    }

    /// A fresh nonce: 128 bits from the system's cryptographic generator, base64.
    public static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in stride(from: 0, to: 16, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.replaceSubrange(index..<index + 8, with: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}

/// Which responses of a route may be stored by caches.
public enum CachePolicy: Sendable {
    /// Nothing is stored: the default for every route.
    case noStore
    /// Fingerprinted static assets: the address changes whenever the content does.
    case immutable
}

// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "CallCoach",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callcoach", targets: ["callcoach"])
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),

        .target(name: "CallCoachCore", swiftSettings: strict),
        .target(name: "CallCoachTelemetry", swiftSettings: strict),
        .target(name: "CallCoachHTTP", dependencies: ["CMicroHTTPD", "CallCoachTelemetry"], swiftSettings: strict),
        .target(name: "CallCoachCrypto", dependencies: ["COpenSSL", "CArgon2"], swiftSettings: strict),
        .target(name: "CallCoachAnalysis", swiftSettings: strict),
        // Signal processing is optimized even in debug builds, or the test suite waits on it.
        .target(
            name: "CallCoachAudio", dependencies: ["CSndFile"], swiftSettings: strict + [.unsafeFlags(["-O"])]),
        .target(name: "CallCoachSpeech", dependencies: ["CallCoachAudio", "CallCoachAnalysis"], swiftSettings: strict),
        .target(
            name: "CallCoachStore",
            dependencies: ["CSQLite", "CPostgres", "CallCoachCore", "CallCoachCrypto", "CallCoachTelemetry"],
            swiftSettings: strict),
        .target(
            name: "CallCoachServer",
            dependencies: [
                "CallCoachCore", "CallCoachHTTP", "CallCoachCrypto", "CallCoachStore", "CallCoachTelemetry",
                "CallCoachAnalysis", "CallCoachAudio", "CallCoachSpeech", "CQRencode",
            ],
            swiftSettings: strict),
        .target(
            name: "CallCoachTesting",
            dependencies: [
                "CallCoachServer", "CallCoachHTTP", "CallCoachStore", "CallCoachCrypto", "CallCoachAudio",
                "CallCoachTelemetry", "COpenSSL",
            ],
            swiftSettings: strict),
        .executableTarget(name: "callcoach", dependencies: ["CallCoachServer"], swiftSettings: strict),
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "CallCoachServer", "CallCoachHTTP", "CallCoachStore", "CallCoachCrypto", "CallCoachTelemetry",
                "CallCoachAnalysis", "CallCoachTesting",
            ],
            swiftSettings: strict),
        .testTarget(name: "CallCoachAnalysisTests", dependencies: ["CallCoachAnalysis"], swiftSettings: strict),
        .testTarget(name: "CallCoachAudioTests", dependencies: ["CallCoachAudio"], swiftSettings: strict),
        .testTarget(
            name: "CallCoachSpeechTests", dependencies: ["CallCoachSpeech", "CallCoachTesting"], swiftSettings: strict),
        .testTarget(
            name: "CallCoachTests",
            dependencies: [
                "CallCoachTesting", "CallCoachServer", "CallCoachHTTP", "CallCoachStore", "CallCoachCrypto",
                "CallCoachAudio",
            ],
            swiftSettings: strict),
    ]
)

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
        // Built and installed under /usr/local by scripts/install-speech (whisper.cpp 1.8.5).
        .systemLibrary(name: "CWhisper", pkgConfig: "whisper"),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(name: "CallCoachCore", swiftSettings: strict),
        .target(name: "CallCoachTelemetry", swiftSettings: strict),
        .target(name: "CallCoachHTTP", dependencies: ["CMicroHTTPD", "CallCoachTelemetry"], swiftSettings: strict),
        .target(name: "CallCoachCrypto", dependencies: ["COpenSSL", "CArgon2"], swiftSettings: strict),
        .target(name: "CallCoachAnalysis", swiftSettings: strict),
        .target(name: "CallCoachScoring", dependencies: ["CallCoachAnalysis", "CallCoachCore"], swiftSettings: strict),
        // Signal processing is optimized even in debug builds, or the test suite waits on it.
        .target(
            name: "CallCoachAudio", dependencies: ["CSndFile"], swiftSettings: strict + [.unsafeFlags(["-O"])]),
        .target(
            name: "CallCoachSpeech", dependencies: ["CallCoachAudio", "CallCoachAnalysis", "CWhisper"],
            swiftSettings: strict),
        // The encoder's loops are optimized in debug builds too, for the same reason.
        .target(
            name: "CallCoachEmbeddings", dependencies: ["COpenBLAS"], swiftSettings: strict + [.unsafeFlags(["-O"])]),
        .target(
            name: "CallCoachStore",
            dependencies: ["CSQLite", "CPostgres", "CallCoachCore", "CallCoachCrypto", "CallCoachTelemetry"],
            swiftSettings: strict),
        .target(
            name: "CallCoachServer",
            dependencies: [
                "CallCoachCore", "CallCoachHTTP", "CallCoachCrypto", "CallCoachStore", "CallCoachTelemetry",
                "CallCoachAnalysis", "CallCoachAudio", "CallCoachSpeech", "CallCoachEmbeddings", "CallCoachScoring",
                "CQRencode",
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
                "CallCoachAnalysis", "CallCoachTesting", "CallCoachSpeech", "CallCoachEmbeddings", "CallCoachAudio",
                "CallCoachScoring",
            ],
            swiftSettings: strict),
        .testTarget(name: "CallCoachAnalysisTests", dependencies: ["CallCoachAnalysis"], swiftSettings: strict),
        .testTarget(
            name: "CallCoachScoringTests", dependencies: ["CallCoachScoring", "CallCoachAnalysis"],
            swiftSettings: strict),
        .testTarget(
            name: "CallCoachAudioTests", dependencies: ["CallCoachAudio", "CallCoachTesting"], swiftSettings: strict),
        .testTarget(
            name: "CallCoachSpeechTests", dependencies: ["CallCoachSpeech", "CallCoachTesting", "CallCoachServer"],
            swiftSettings: strict),
        .testTarget(
            name: "CallCoachEmbeddingsTests",
            dependencies: ["CallCoachEmbeddings", "CallCoachTesting", "CallCoachServer"],
            swiftSettings: strict),
        .testTarget(
            name: "CallCoachTests",
            dependencies: [
                "CallCoachTesting", "CallCoachServer", "CallCoachHTTP", "CallCoachStore", "CallCoachCrypto",
                "CallCoachAudio", "CallCoachScoring",
            ],
            swiftSettings: strict),
    ]
)

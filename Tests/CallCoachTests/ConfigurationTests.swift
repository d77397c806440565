import CallCoachServer
import CallCoachTelemetry
import Testing

@Suite struct ConfigurationTests {
    let key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="

    func load(_ arguments: [String], _ environment: [String: String] = [:], files: [String: String] = [:]) throws
        -> Configuration
    {
        try Configuration.load(command: .serve, arguments: arguments, environment: environment) { path in
            guard let text = files[path] else { throw ConfigurationError("missing") }
            return text
        }
    }

    @Test func defaultsMatchTheDocumentation() throws {
        let configuration = try load([])
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 8443)
        #expect(configuration.redirectPort == nil)
        #expect(configuration.adminPort == 9090)
        #expect(configuration.production == false)
        #expect(configuration.masterKey == nil)
        #expect(configuration.modelsDirectory == "/usr/local/share/callcoach/models")
        #expect(configuration.transcriptionThreads == 2 && configuration.disputeWindowDays == 14)
    }

    @Test func engineAndReviewSettings() throws {
        #expect(try load(["--dispute-window-days", "30"]).disputeWindowDays == 30)
        #expect(try load([], ["CALLCOACH_TRANSCRIPTION_THREADS": "4"]).transcriptionThreads == 4)
        #expect(try load(["--models-dir", "/opt/models"]).modelsDirectory == "/opt/models")
        #expect(throws: ConfigurationError.self) { try load(["--dispute-window-days", "0"]) }
        #expect(throws: ConfigurationError.self) { try load(["--transcription-threads", "many"]) }
    }

    @Test func flagsBeatEnvironmentWhichBeatsDefaults() throws {
        let environment = ["CALLCOACH_PORT": "9443", "CALLCOACH_HOST": "127.0.0.1", "CALLCOACH_DATA_DIR": "/env"]
        let configuration = try load(["--port", "10443", "--data-dir=/flag"], environment)
        #expect(configuration.port == 10443)
        #expect(configuration.dataDirectory == "/flag")
        #expect(configuration.host == "127.0.0.1")
        #expect(try load([], ["CALLCOACH_ADMIN_PORT": "off"]).adminPort == nil)
        #expect(try load(["--production"]).production)
        #expect(try load([], ["CALLCOACH_PRODUCTION": "true"]).production)
        #expect(try load([], ["CALLCOACH_LOG_LEVEL": "debug"]).logLevel == .debug)
    }

    @Test func secretsComeFromTheVariableOrItsFileButNotBoth() throws {
        #expect(try load([], ["CALLCOACH_MASTER_KEY": key]).masterKey?.value == key)
        let fromFile = try load(
            [], ["CALLCOACH_MASTER_KEY_FILE": "/run/secrets/key"], files: ["/run/secrets/key": key + "\n"])
        #expect(fromFile.masterKey?.value == key)
        #expect(throws: ConfigurationError.self) {
            try load([], ["CALLCOACH_MASTER_KEY": key, "CALLCOACH_MASTER_KEY_FILE": "/run/secrets/key"])
        }
        #expect(throws: ConfigurationError.self) { try load([], ["CALLCOACH_MASTER_KEY_FILE": "/nowhere"]) }
        #expect(throws: ConfigurationError.self) { try load([], ["CALLCOACH_MASTER_KEY": "c2hvcnQ="]) }
    }

    @Test func secretsHaveNoFlagAndNeverPrint() throws {
        #expect(throws: ConfigurationError.self) { try load(["--master-key", key]) }
        let configuration = try load([], ["CALLCOACH_METRICS_TOKEN": "a-long-metrics-token-value"])
        #expect(!"\(configuration)".contains("a-long-metrics-token-value"))
        #expect(!String(reflecting: configuration).contains(key))
    }

    @Test(arguments: [
        ["--port", "70000"], ["--port"], ["--port", "abc"], ["--bogus"], ["--threads", "0"], ["--production=yes"],
        ["--log-level", "loud"], ["--connection-timeout", "-1"],
    ])
    func badFlagsAreRefusedWithAClearMessage(arguments: [String]) {
        #expect(throws: ConfigurationError.self) { try load(arguments) }
    }

    @Test func badEnvironmentValuesAreRefused() {
        #expect(throws: ConfigurationError.self) { try load([], ["CALLCOACH_PORT": "eighty"]) }
        #expect(throws: ConfigurationError.self) { try load([], ["CALLCOACH_PRODUCTION": "maybe"]) }
    }

    @Test func eachCommandAcceptsOnlyItsOwnOptions() throws {
        _ = try Configuration.load(command: .migrate, arguments: ["--data-dir", "/x"], environment: [:])
        #expect(throws: ConfigurationError.self) {
            try Configuration.load(command: .migrate, arguments: ["--port", "1"], environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try Configuration.load(command: .version, arguments: ["--data-dir", "/x"], environment: [:])
        }
    }
}

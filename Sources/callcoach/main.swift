import CallCoachServer
import CallCoachTelemetry
import Foundation

// The command line. Kept to argument handling: every C callback lives in the library targets.

let version = "0.1.0"
let arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("callcoach: \(message)\n".utf8))
    exit(status)
}

/// Runs one command's work; any error ends the program with status 1 and its message.
func attempt(_ body: () async throws -> Void) async {
    do {
        try await body()
    } catch {
        fail("\(error)", status: 1)
    }
}

/// Prints each finding and exits 1, or prints `clean` when there are none.
func report(_ findings: [String], prefix: String, clean: String) {
    guard findings.isEmpty else {
        for finding in findings { print("\(prefix): \(finding)") }
        exit(1)
    }
    print(clean)
}

let overview = """
    usage: callcoach <command> [options]

    commands:
    \(Command.allCases.map { "  \($0.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))

    Run `callcoach <command> --help` for a command's options.

    """

/// Commands of two words, such as `admin create-company`.
let groups: Set<String> = ["admin", "audit", "policy", "keys"]
guard let name = arguments.first else { fail("no command given\n\n" + overview) }
if ["--help", "-h", "help"].contains(name)
    || (groups.contains(name) && (arguments.count == 1 || arguments[1].hasPrefix("-")))
{
    print(overview, terminator: "")
    exit(0)
}
let words = groups.contains(name) && arguments.count > 1 && !arguments[1].hasPrefix("-") ? 2 : 1
let commandName = arguments.prefix(words).joined(separator: " ")
guard let command = Command(rawValue: commandName) else { fail("unknown command '\(commandName)'\n\n" + overview) }
var options = Array(arguments.dropFirst(words))
// `analyze` takes the file to analyze first, before its options.
var analyzedFile: String?
if command == .analyze, let first = options.first, !first.hasPrefix("-") {
    analyzedFile = first
    options.removeFirst()
}
if options.contains("--help") || options.contains("-h") {
    print(command.help, terminator: "")
    exit(0)
}

let configuration: Configuration
do {
    configuration = try Configuration.load(
        command: command, arguments: options, environment: Configuration.processEnvironment())
} catch {
    fail("\(error)\n\n" + command.help)
}
let logger = Logger(level: configuration.logLevel)

switch command {
case .version:
    print("callcoach \(version)")

case .migrate:
    await attempt {
        let applied = try await DatabaseCommands.migrate(configuration, logger: logger)
        print(
            applied.isEmpty
                ? "the database is up to date"
                : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }

case .createCompany:
    var password: String?
    if configuration.passwordFromStandardInput {
        password = readLine(strippingNewline: true)
        if password == nil { fail("--password-stdin was given but standard input is empty") }
    }
    await attempt {
        let (companyID, link) = try await DatabaseCommands.createCompany(
            configuration, password: password, logger: logger)
        print("company \(companyID) created")
        print(
            link.map { "invitation for the first administrator (valid 7 days, single use):\n\($0)" }
                ?? "the administrator can sign in now")
    }

case .deactivateUser, .reactivateUser:
    await attempt {
        try await DatabaseCommands.setDeactivated(command == .deactivateUser, configuration, logger: logger)
        print(
            command == .deactivateUser ? "the account is deactivated and its sessions ended" : "the account is active")
    }

case .grantOperator, .revokeOperator:
    await attempt {
        try await DatabaseCommands.setPlatformOperator(command == .grantOperator, configuration, logger: logger)
        print(command == .grantOperator ? "the account is a platform operator" : "the account is no platform operator")
    }

case .auditVerify:
    await attempt {
        let breaks = try await DatabaseCommands.verifyAudit(configuration, logger: logger)
        report(breaks.map(\.description), prefix: "broken", clean: "every audit chain is intact")
    }

case .policyCheck:
    await attempt {
        let differences = try await DatabaseCommands.policyDrift(configuration, logger: logger)
        report(differences, prefix: "drift", clean: "the row-level policies and grants are as expected")
    }

case .policyMatrix:
    await attempt { print(try await DatabaseCommands.policyMatrix(logger: Logger(level: .error)), terminator: "") }

case .rotateKeys:
    await attempt {
        let version = try await DatabaseCommands.rotateKeys(configuration, logger: logger)
        print("blob key version \(version) is current; servers re-encrypt stored blobs in the background")
    }

case .worker:
    SignalWaiter.install()
    await attempt {
        try await DatabaseCommands.runWorkers(configuration, logger: logger) {
            _ = await Task.detached { SignalWaiter.waitForTermination() }.value
        }
    }

case .ingest:
    SignalWaiter.install()
    await attempt {
        let outcome = try await DatabaseCommands.ingest(configuration, logger: logger) {
            _ = await Task.detached { SignalWaiter.waitForTermination() }.value
        }
        if configuration.once {
            print("stored \(outcome.stored), failed \(outcome.failed), waiting \(outcome.waiting)")
        }
    }

case .analyze:
    guard let file = analyzedFile else { fail("analyze needs a FILE\n\n" + command.help) }
    await attempt {
        print(
            try OfflineAnalysis.run(
                path: file, transcriptPath: configuration.transcriptFile, output: configuration.outputFormat),
            terminator: "")
    }

case .serve:
    SignalWaiter.install()
    let runtime: ServerRuntime
    do {
        runtime = try await ServerRuntime.start(configuration, logger: logger)
    } catch {
        logger.error("server.start.failed", "the server could not start")
        fail("\(error)", status: 1)
    }
    _ = SignalWaiter.waitForTermination()
    runtime.stop()
}

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

let overview = """
    usage: callcoach <command> [options]

    commands:
    \(Command.allCases.map { "  \($0.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))

    Run `callcoach <command> --help` for a command's options.

    """

/// Commands of two words, such as `admin create-company`.
let groups: Set<String> = ["admin", "audit", "policy"]
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
let options = Array(arguments.dropFirst(words))
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
    do {
        let applied = try await DatabaseCommands.migrate(configuration, logger: logger)
        print(
            applied.isEmpty
                ? "the database is up to date"
                : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    } catch {
        fail("\(error)", status: 1)
    }

case .createCompany:
    var password: String?
    if configuration.passwordFromStandardInput {
        password = readLine(strippingNewline: true)
        if password == nil { fail("--password-stdin was given but standard input is empty") }
    }
    do {
        let (companyID, link) = try await DatabaseCommands.createCompany(
            configuration, password: password, logger: logger)
        print("company \(companyID) created")
        if let link {
            print("invitation for the first administrator (valid 7 days, single use):\n\(link)")
        } else {
            print("the administrator can sign in now")
        }
    } catch {
        fail("\(error)", status: 1)
    }

case .deactivateUser, .reactivateUser:
    do {
        try await DatabaseCommands.setDeactivated(command == .deactivateUser, configuration, logger: logger)
        print(
            command == .deactivateUser ? "the account is deactivated and its sessions ended" : "the account is active")
    } catch {
        fail("\(error)", status: 1)
    }

case .grantOperator, .revokeOperator:
    do {
        try await DatabaseCommands.setPlatformOperator(command == .grantOperator, configuration, logger: logger)
        print(command == .grantOperator ? "the account is a platform operator" : "the account is no platform operator")
    } catch {
        fail("\(error)", status: 1)
    }

case .auditVerify:
    do {
        let breaks = try await DatabaseCommands.verifyAudit(configuration, logger: logger)
        guard breaks.isEmpty else {
            for broken in breaks { print("broken: \(broken)") }
            exit(1)
        }
        print("every audit chain is intact")
    } catch {
        fail("\(error)", status: 1)
    }

case .policyCheck:
    do {
        let differences = try await DatabaseCommands.policyDrift(configuration, logger: logger)
        guard differences.isEmpty else {
            for difference in differences { print("drift: \(difference)") }
            exit(1)
        }
        print("the row-level policies and grants are as expected")
    } catch {
        fail("\(error)", status: 1)
    }

case .policyMatrix:
    do {
        print(try await DatabaseCommands.policyMatrix(logger: Logger(level: .error)), terminator: "")
    } catch {
        fail("\(error)", status: 1)
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

import CallCoachTesting
import Foundation
import Testing

@Suite(.serialized) struct CommandLineTests {
    let executable = callcoachExecutable()

    @Test func helpIsAvailableForEveryCommand() throws {
        let overview = try run(executable, ["--help"])
        #expect(overview.status == 0)
        for command in ["serve", "migrate", "version"] {
            #expect(overview.output.contains(command))
            let help = try run(executable, [command, "--help"])
            #expect(help.status == 0)
            #expect(help.output.contains("usage: callcoach \(command)"))
        }
        let serve = try run(executable, ["serve", "--help"]).output
        for flag in ["--data-dir", "--host", "--port", "CALLCOACH_DATA_DIR", "CALLCOACH_MASTER_KEY_FILE"] {
            #expect(serve.contains(flag))
        }
    }

    @Test func badInvocationsFailClearly() throws {
        let unknownCommand = try run(executable, ["launch"])
        #expect(unknownCommand.status == 2)
        #expect(unknownCommand.error.contains("unknown command"))
        let badFlag = try run(executable, ["serve", "--port", "99999"])
        #expect(badFlag.status == 2)
        #expect(badFlag.error.contains("--port"))
        #expect(try run(executable, []).status == 2)
        let badEnvironment = try run(executable, ["serve"], environment: ["CALLCOACH_PORT": "x"])
        #expect(badEnvironment.status == 2)
        #expect(badEnvironment.error.contains("CALLCOACH_PORT"))
    }

    @Test func versionPrintsTheVersion() throws {
        let result = try run(executable, ["version"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("callcoach "))
    }

    @Test func migrateAppliesPendingMigrationsOnce() throws {
        let directory = try TemporaryDirectory()
        let first = try run(executable, ["migrate", "--data-dir", directory.path])
        #expect(first.status == 0)
        #expect(first.output.contains("applied migrations 1"))
        let second = try run(executable, ["migrate"], environment: ["CALLCOACH_DATA_DIR": directory.path])
        #expect(second.status == 0)
        #expect(second.output.contains("up to date"))
    }

    @Test func adminCreateCompanyPrintsAnInvitationOrTakesAPassword() throws {
        let directory = try TemporaryDirectory()
        let invited = try run(
            executable,
            [
                "admin", "create-company", "--data-dir", directory.path, "--name", "Acme", "--admin-email",
                "a@example.com",
            ])
        #expect(invited.status == 0)
        #expect(invited.output.contains("/invitations/accept#token=cci_"))

        let withPassword = try run(
            executable,
            [
                "admin", "create-company", "--data-dir", directory.path, "--name", "Beta", "--admin-email",
                "b@example.com", "--password-stdin",
            ], input: "a-long-enough-password\n")
        #expect(withPassword.status == 0)
        #expect(withPassword.output.contains("can sign in now"))

        let missing = try run(executable, ["admin", "create-company", "--data-dir", directory.path, "--name", "X"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("--admin-email"))
        let badEmail = try run(
            executable,
            ["admin", "create-company", "--data-dir", directory.path, "--name", "X", "--admin-email", "nope"])
        #expect(badEmail.status == 1)
        #expect(try run(executable, ["admin", "--help"]).output.contains("admin create-company"))

        let deactivated = try run(
            executable, ["admin", "deactivate-user", "--data-dir", directory.path, "--email", "B@example.com"])
        #expect(deactivated.status == 0)
        #expect(deactivated.output.contains("deactivated"))
        let unknown = try run(
            executable, ["admin", "deactivate-user", "--data-dir", directory.path, "--email", "z@example.com"])
        #expect(unknown.status == 1)
        #expect(
            try run(executable, ["admin", "reactivate-user", "--data-dir", directory.path, "--email", "b@example.com"])
                .status == 0)
    }

    @Test func serveAnswersThenStopsCleanlyOnSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "serve", "--data-dir", directory.path, "--host", "127.0.0.1", "--port", "0", "--admin-port", "off",
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let port = try await blocking { try Self.listeningPort(errors.fileHandleForReading) }
        let health = try await blocking { try WireClient(port: port, tls: .modern).request("GET", "/healthz") }
        #expect(health.status == 200)
        process.terminate()
        let rest = try await blocking {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(rest.contains("server.stopped"))
    }

    /// Reads log lines until the HTTPS listener reports its port.
    static func listeningPort(_ handle: FileHandle) throws -> UInt16 {
        var text = ""
        while true {
            let data = handle.availableData
            guard !data.isEmpty else { throw CocoaError(.fileReadUnknown) }
            text += String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n") where line.contains("server.listening") && line.contains("https") {
                let fields = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                if let port = fields?["port"] as? Int { return UInt16(port) }
            }
        }
    }
}

import CallCoachTesting
import Foundation
import Testing

@Suite struct EnvironmentLintTests {
    let script = packageRoot + "/scripts/lint-environment"

    @Test func theRepositoryPassesTheLint() throws {
        let result = try run("/bin/bash", [script, packageRoot + "/Sources"])
        #expect(result.status == 0, "\(result.output)\(result.error)")
    }

    @Test(arguments: [
        "let home = ProcessInfo.processInfo.environment[\"HOME\"]",
        "let path = getenv(\"PATH\")",
        "let all = environ",
        "let env = ProcessInfo().environment",
        "setenv(\"X\", \"1\", 1)",
    ])
    func anyOtherEnvironmentReadFails(line: String) throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: directory.file("Sources/Thing"), withIntermediateDirectories: true)
        try "import Foundation\n\(line)\n".write(
            toFile: directory.file("Sources/Thing/Sneaky.swift"), atomically: true, encoding: .utf8)
        let result = try run("/bin/bash", [script, directory.file("Sources")])
        #expect(result.status == 1)
        #expect(result.output.contains("Sneaky.swift"))
    }
}

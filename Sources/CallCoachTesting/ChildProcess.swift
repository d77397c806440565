import Foundation

/// Runs a program to completion, with `input` on its standard input, and returns its exit status,
/// standard output and standard error. It gets exactly `environment`, or this process's when `nil`.
@discardableResult
public func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = [:], input: String? = nil
)
    throws -> (
        status: Int32, output: String, error: String
    )
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    let standardInput = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : standardInput
    try process.run()
    if let input {
        standardInput.fileHandleForWriting.write(Data(input.utf8))
        try standardInput.fileHandleForWriting.close()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: outputData, as: UTF8.self),
        String(decoding: errorData, as: UTF8.self)
    )
}

/// A command-line tool that failed, with what it said.
public struct ToolError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a tool found on `PATH` (sox, espeak-ng, python3) and returns its standard output; a
/// non-zero exit throws.
@discardableResult
public func runTool(_ tool: String, _ arguments: [String], input: String? = nil) throws -> String {
    let result = try run("/usr/bin/env", [tool] + arguments, environment: nil, input: input)
    guard result.status == 0 else {
        throw ToolError(description: "\(tool) \(arguments.joined(separator: " ")) failed: \(result.error.suffix(500))")
    }
    return result.output
}

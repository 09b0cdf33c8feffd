import App
import AsyncHTTPClient
import Foundation

/// A `cirrus sandbox` process and a `cirrus serve` process (the binary beside this one) with a
/// ``DemoServer``'s settings, so a benchmark can kill the server mid-way and start it again on
/// the same port and store while the providers carry on.
final class ServerProcesses: @unchecked Sendable {
    private let server: DemoServer
    private let binary: URL
    private let sandboxProcess: Process
    private var serverProcess: Process?

    init(_ server: DemoServer) async throws {
        self.server = server
        binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cirrus")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchFailure("\(binary.path) is missing: build the cirrus product beside cirrus-bench")
        }
        let sandboxPort = URLComponents(string: server.sandbox)?.port ?? 0
        sandboxProcess = try Self.launch(binary, ["sandbox", "--port", String(sandboxPort), "--app-url", server.origin], environment: [:])
        try await Self.waitUntilUp(server.sandbox + "/_sandbox/stats")
        try await start()
    }

    /// Starts `cirrus serve` (again), with the sandbox's origin in place of its own.
    func start() async throws {
        let port = URLComponents(string: server.origin)?.port ?? 0
        serverProcess = try Self.launch(binary, ["serve", "--port", String(port)], environment: server.environment(sandboxURL: server.sandbox))
        try await Self.waitUntilUp(server.origin + "/health")
    }

    /// Sends the server `signal` and waits for it to end.
    func stop(_ signal: Int32) {
        guard let serverProcess, serverProcess.isRunning else { return }
        kill(serverProcess.processIdentifier, signal)
        serverProcess.waitUntilExit()
    }

    deinit {
        for process in [sandboxProcess, serverProcess].compactMap({ $0 }) where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func launch(_ binary: URL, _ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func waitUntilUp(_ url: String) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("\(url) did not come up within 120 s")
    }
}

/// Why a benchmark could not run.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

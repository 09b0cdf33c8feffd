import App
import ArgumentParser
import AsyncHTTPClient
import CirrusCore
import Demo
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox

/// Many people at once while imports run: `sessions` signed-in clients browse Drive folders and
/// page through the Documents list and page, 5 imports of 200 files run meanwhile, and a probe
/// asks `/health` five times a second. Prints errors and the p50/p99 latency of each.
struct LoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Latency and errors under many sessions while imports run.")

    @Option(help: "Concurrent signed-in sessions.") var sessions = 100
    @Option(help: "Seconds of load.") var seconds = 60
    @Option(help: "Imports running during the load, and files in each.") var imports = 5
    @Option(help: "Files in each import.") var filesPerImport = 200
    @Option(help: "Pause between one session's requests, in milliseconds (a person reading the page).") var thinkMs = 1000

    func run() async throws {
        let server = try DemoServer(label: "load", admin: ("load@example.com", "a long load password"), extra: [AppConfig.Key.loginMaxFailures: "1000"])
        defer { server.removeData() }
        let (origin, sandboxOrigin, databaseURL) = (server.origin, server.sandbox, server.databaseURL)
        let config = try await server.config()
        let app = try await DemoEnvironment.application(config)
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                redirectConfiguration: .disallow, connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: sessions + 16)))
        print(
            "command: make bench-load (.build/release/cirrus-bench load --sessions \(sessions) --seconds \(seconds) --imports \(imports) --files-per-import \(filesPerImport) --think-ms \(thinkMs))"
        )
        print(
            "store: \(databaseURL == nil ? "SQLite" : "PostgreSQL"); machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; load generator in the same process"
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            defer { group.cancelAll() }
            var admin = BenchClient(http: http, origin: origin)
            try await admin.waitUntilUp()
            try await admin.signIn(email: "load@example.com", password: "a long load password")
            try await admin.connectGoogleDrive()
            let client = admin
            let root = try await admin.call(origin + "/api/v1/integrations/google_drive/files?folder_id=root", bearer: admin.bearer).2
            let folders = (root["files"] as? [[String: Any]] ?? []).filter { $0["isFolder"] as? Bool == true }.compactMap { $0["id"] as? String }
            // Every session signs in as the admin (a token each), as many browser tabs would.
            var tokens: [String] = []
            for _ in 0..<sessions {
                var client = BenchClient(http: http, origin: origin)
                try await client.signIn(email: "load@example.com", password: "a long load password")
                tokens.append(client.bearer)
            }
            // The imports' folders, made before the clock starts.
            var importFolders: [String] = []
            for index in 0..<imports {
                let folder = try await admin.sandboxFolder(sandboxOrigin, name: "Load \(index)")
                try await withThrowingTaskGroup(of: Void.self) { files in
                    for file in 0..<filesPerImport {
                        files.addTask {
                            let text = "Load note \(index)-\(file): order \(10_000 + file) ships on day \(file % 28 + 1)."
                            try await client.sandboxFile(
                                sandboxOrigin, parent: folder, name: "load-\(index)-\(file).txt", type: "text/plain", bytes: Array(text.utf8))
                        }
                        if file % 16 == 15 { try await files.next() }
                    }
                    try await files.waitForAll()
                }
                importFolders.append(folder)
            }

            let recorder = LatencyRecorder()
            let deadline = ContinuousClock.now + .seconds(seconds)
            var jobs: [String] = []
            for folder in importFolders {
                let job = try await admin.call(
                    origin + "/api/v1/integrations/google_drive/import", method: .POST, json: ["fileIds": [folder], "category": "Load"], bearer: admin.bearer)
                if let id = job.2["id"] as? String { jobs.append(id) }
            }
            try await withThrowingTaskGroup(of: Void.self) { load in
                for (index, token) in tokens.enumerated() {
                    load.addTask {
                        var round = index
                        // Sessions start spread over the first think time, as people arrive.
                        try await Task.sleep(for: .milliseconds(thinkMs * index / max(1, sessions)))
                        while ContinuousClock.now < deadline {
                            round += 1
                            let folder = folders.isEmpty ? "root" : folders[round % folders.count]
                            let request: (String, String) =
                                switch round % 3 {
                                case 0: ("browse", "/api/v1/integrations/google_drive/files?folder_id=\(folder)")
                                case 1: ("documents API", "/api/v1/documents?limit=50&offset=\((round / 3) % 10 * 50)")
                                default: ("Documents page", "/admin/documents?page=\((round / 3) % 4 + 1)")
                                }
                            await recorder.time(request.0) { try await client.call(origin + request.1, bearer: token).0 }
                            try await Task.sleep(for: .milliseconds(thinkMs))
                        }
                    }
                }
                load.addTask {
                    while ContinuousClock.now < deadline {
                        await recorder.time("health") { try await client.call(origin + "/health").0 }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                try await load.waitForAll()
            }
            var imported = 0
            for job in jobs {
                let state = try await admin.call(origin + "/api/v1/imports/\(job)", bearer: admin.bearer).2
                imported += state["completed"] as? Int ?? 0
            }
            await recorder.report(seconds: seconds)
            print("imports: \(imported) of \(imports * filesPerImport) files finished during the \(seconds) s")
        }
        try await http.shutdown()
    }
}

/// A demo server for a benchmark: its own data directory, free ports for it and its sandbox,
/// and PostgreSQL when `CIRRUS_TEST_DATABASE_URL` names one.
struct DemoServer {
    let directory: URL
    let origin: String
    let sandbox: String
    let databaseURL: String?
    private let overrides: [String: String]

    init(label: String, admin: (email: String, password: String), extra: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        databaseURL = ProcessInfo.processInfo.environment["CIRRUS_TEST_DATABASE_URL"]
        let port = try LoopbackPort.free()
        let sandboxPort = try LoopbackPort.free()
        origin = "http://127.0.0.1:\(port)"
        sandbox = "http://127.0.0.1:\(sandboxPort)"
        var overrides = [
            AppConfig.Key.dataDirectory: directory.path, AppConfig.Key.port: String(port), AppConfig.Key.sandboxPort: String(sandboxPort),
            AppConfig.Key.apiBaseURL: origin, AppConfig.Key.adminEmail: admin.email, AppConfig.Key.adminPassword: admin.password,
            AppConfig.Key.encryptionKeys: Fernet.generateKey(), AppConfig.Key.logLevel: "critical", AppConfig.Key.bcryptCost: "4",
            // The benchmarks measure what the server can do, not the allowances it gives people.
            AppConfig.Key.rateLimits: "off",
        ]
        if let databaseURL {
            overrides[AppConfig.Key.databaseURL] = databaseURL
            overrides[AppConfig.Key.autoMigrate] = "true"
        }
        self.overrides = overrides.merging(extra) { $1 }
    }

    func config() async throws -> AppConfig {
        try await AppConfig.load(overrides: overrides, environment: [:], environmentFile: directory.appendingPathComponent(".env").path)
    }

    /// The settings as the environment of a `cirrus serve` process that uses the sandbox at `sandboxURL`.
    func environment(sandboxURL: String) -> [String: String] {
        overrides.merging([AppConfig.Key.demo: "true", AppConfig.Key.sandboxURL: sandboxURL]) { $1 }
    }

    func removeData() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Latencies and errors per kind of request.
actor LatencyRecorder {
    private var samples: [String: [Double]] = [:]
    private var errors: [String: Int] = [:]
    private var firstError: [String: String] = [:]

    func time(_ kind: String, _ request: @Sendable () async throws -> Int) async {
        let started = ContinuousClock.now
        do {
            let status = try await request()
            record(kind, seconds: (ContinuousClock.now - started).seconds, error: (200..<300).contains(status) ? nil : "HTTP \(status)")
        } catch {
            record(kind, seconds: (ContinuousClock.now - started).seconds, error: "\(error)")
        }
    }

    private func record(_ kind: String, seconds: Double, error: String?) {
        samples[kind, default: []].append(seconds)
        if let error {
            errors[kind, default: 0] += 1
            if firstError[kind] == nil { firstError[kind] = error }
        }
    }

    func report(seconds: Int) {
        for (kind, values) in samples.sorted(by: { $0.key < $1.key }) {
            let sorted = values.sorted()
            func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
            print(
                String(
                    format: "%@: %d requests (%.0f/s), %d errors, p50 %.1f ms, p99 %.1f ms%@", kind, sorted.count, Double(sorted.count) / Double(seconds),
                    errors[kind] ?? 0, percentile(0.5), percentile(0.99), firstError[kind].map { " (first error: \($0))" } ?? ""))
        }
    }
}

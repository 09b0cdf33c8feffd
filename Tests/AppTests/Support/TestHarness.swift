import CirrusCore
import Demo
import FluentKit
import FluentPostgresDriver
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Sandbox
import TestSupport

@testable import App

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One isolated Cirrus installation for a test: its own SQLite directory, or its own freshly
/// created PostgreSQL database when `CIRRUS_TEST_DATABASE_URL` points at a server (as `make test`
/// does for the PostgreSQL pass).
struct TestHarness: Sendable {
    static let ownerEmail = "owner@example.com"
    static let ownerPassword = "correct horse battery"

    var config: AppConfig
    let dataDirectory: URL

    /// Which database the suite runs against, for test names and skips.
    static var engineName: String { postgresBaseURL == nil ? "sqlite" : "postgres" }

    static var postgresBaseURL: String? {
        ProcessInfo.processInfo.environment["CIRRUS_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A free loopback port, for tests whose public URL must name the real port (OAuth redirects in a browser).
    static func freePort() throws -> Int {
        try LoopbackPort.free()
    }

    /// A harness listening on a known port, with `API_BASE_URL` pointing at it.
    static func makeWithPublicURL(_ overrides: [String: String] = [:]) async throws -> TestHarness {
        let port = try freePort()
        var values = overrides
        values[AppConfig.Key.port] = String(port)
        values[AppConfig.Key.apiBaseURL] = "http://127.0.0.1:\(port)"
        return try await make(values)
    }

    /// The built-in embedder's model, unpacked by the setup step at the top of the repository.
    static let modelDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/all-MiniLM-L6-v2")

    static func make(_ overrides: [String: String] = [:]) async throws -> TestHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var values: [String: String] = [
            AppConfig.Key.dataDirectory: directory.path,
            AppConfig.Key.port: "0",
            AppConfig.Key.sandboxPort: "0",
            AppConfig.Key.bcryptCost: "4",
            AppConfig.Key.autoMigrate: "true",
            AppConfig.Key.adminEmail: ownerEmail,
            AppConfig.Key.adminPassword: ownerPassword,
            AppConfig.Key.encryptionKeys: Fernet.generateKey(),
            AppConfig.Key.logLevel: ProcessInfo.processInfo.environment["CIRRUS_TEST_LOG_LEVEL"] ?? "warning",
            AppConfig.Key.modelDirectory: modelDirectory.path,
            // The sandbox would post Drive's notifications to API_BASE_URL, which is not the
            // server's port unless the test asks for one (`makeWithPublicURL`).
            AppConfig.Key.syncPush: "false",
        ]
        if let base = postgresBaseURL {
            values[AppConfig.Key.databaseURL] = try await createPostgresDatabase(base: base)
        }
        values.merge(overrides) { _, new in new }
        let config = try await AppConfig.load(
            overrides: values, environment: [:], environmentFile: directory.appendingPathComponent(".env").path)
        return TestHarness(config: config, dataDirectory: directory)
    }

    /// Runs `body` against the live server on a free loopback port.
    /// - Parameter logger: where the server logs (the harness's own by default).
    func withServer<T: Sendable>(logger: Logger = Self.logger, _ body: @Sendable (TestClient) async throws -> T) async throws -> T {
        let app = try await DemoEnvironment.application(config, logger: logger)
        return try await app.test(.live) { client in
            try await body(TestClient(client: client))
        }
    }

    /// Runs `body` against the live server on the configured port (Hummingbird's live tier binds
    /// a random one), for tests in which a provider calls the server back at `API_BASE_URL`
    /// (push notifications): use with ``makeWithPublicURL(_:)``.
    func withServerAtPublicURL<T: Sendable>(_ body: @Sendable (TestClient) async throws -> T) async throws -> T {
        try await withListeningServer {
            let connection = HummingbirdTesting.TestClient(host: "127.0.0.1", port: config.port, configuration: .init(timeout: .seconds(20)))
            connection.connect()
            do {
                let result = try await body(TestClient(connection: connection, port: config.port))
                try await connection.shutdown()
                return result
            } catch {
                try? await connection.shutdown()
                throw error
            }
        }
    }

    /// Runs `body` against the application in process, without a socket (Hummingbird's router
    /// test tier): for pure HTTP logic — pages, headers, errors — that needs no real connection.
    /// The demo sandbox still listens, for the connectors.
    func withRouter<T: Sendable>(_ body: @Sendable (TestClient) async throws -> T) async throws -> T {
        let app = try await DemoEnvironment.application(config, logger: Self.logger)
        return try await app.test(.router) { client in
            try await body(TestClient(client: client))
        }
    }

    /// Runs the real server on the configured port (not the test framework's), for browser
    /// journeys whose OAuth redirects must reach it at its public URL.
    func withListeningServer<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let app = try await DemoEnvironment.application(config, logger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService()
                return nil
            }
            let health = URL(string: config.apiBaseURL + "/health")!
            do {
                try await eventually("the server starts on \(config.apiBaseURL)") {
                    (try? await URLSession.shared.data(from: health)) != nil
                }
                let result = try await body()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Opens the same store the server uses (migrated unless asked not to), for setting up and checking data.
    func withStore<T>(migrated: Bool = true, _ body: (Store) async throws -> T) async throws -> T {
        let store = try Store(config: config, logger: Self.logger)
        do {
            if migrated { try await store.migrate() }
            let result = try await body(store)
            await store.shutdown()
            return result
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Starts the server once, so that the store is migrated and the owner exists, and returns the owner.
    @discardableResult
    func bootstrapOwner() async throws -> User {
        try await withServer { _ in }
        return try await withStore { store in
            guard let owner = try await User.query(on: store.database).first() else { throw TestFailure("no owner was created") }
            return owner
        }
    }

    /// Creates a user; in a new workspace unless one is given.
    @discardableResult
    func createUser(email: String, password: String = "another long password", role: UserRole = .admin, workspaceID: UUID? = nil) async throws -> User {
        try await withStore { store in
            try await Accounts(store: store, bcryptCost: 4, sessionLifetime: 3600)
                .createUser(email: email, password: password, role: role, workspaceID: workspaceID)
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "cirrus-test")
        logger.logLevel = ProcessInfo.processInfo.environment["CIRRUS_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// `CREATE DATABASE` a fresh, uniquely named database on the server and returns its URL.
    static func createPostgresDatabase(base: String) async throws -> String {
        // The suite creates a database per test: never on a server that is not this machine's.
        let host = URLComponents(string: base)?.host?.lowercased() ?? ""
        guard ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host) else {
            throw TestFailure(
                "CIRRUS_TEST_DATABASE_URL must point at a PostgreSQL on this machine (localhost), not at \(host.isEmpty ? "an unknown host" : host)")
        }
        let name = "cirrus_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try .postgres(url: base), as: .psql)
        do {
            let database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
            try await (database as! any SQLDatabase).raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
            await databases.shutdownAsync()
        } catch {
            await databases.shutdownAsync()
            throw error
        }
        guard var components = URLComponents(string: base) else { throw URLError(.badURL) }
        components.path = "/" + name
        return components.string!
    }
}

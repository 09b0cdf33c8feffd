import CirrusCore
import Foundation
import Knowledge
import Testing

@testable import App

@Suite("Configuration")
struct ConfigTests {
    private func envFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cirrus-\(UUID().uuidString).env").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("command-line flags beat the environment, which beats .env, which beats defaults")
    func precedence() async throws {
        // given
        let file = try envFile("PORT=7001\nHOST=10.0.0.5\nDATA_DIR=/from-env-file\nLOG_LEVEL=debug\n")
        // when
        let config = try await AppConfig.load(
            overrides: ["PORT": "7003"],
            environment: ["PORT": "7002", "HOST": "192.0.2.1"],
            environmentFile: file)
        // then
        #expect(config.port == 7003)
        #expect(config.host == "192.0.2.1")
        #expect(config.dataDirectory == "/from-env-file")
        #expect(config.logLevel == .debug)
        #expect(config.sandboxPort == 9100)
    }

    @Test("defaults: loopback, port 8080, ./data, SQLite, demo mode without provider credentials")
    func defaults() async throws {
        let config = try await AppConfig.load(environment: [:], environmentFile: "/nonexistent/.env")
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8080)
        #expect(config.dataDirectory == "./data")
        #expect(config.databaseURL == nil)
        #expect(config.demo)
        #expect(config.apiBaseURL == "http://127.0.0.1:8080")
        #expect(!config.secureCookies)
        #expect(config.embeddingKernels == DenseKernels.preferred())
        let openBLAS = try await AppConfig.load(environment: ["CIRRUS_EMBEDDING_KERNELS": "OpenBLAS"], environmentFile: "/nonexistent/.env")
        #expect(openBLAS.embeddingKernels == .openBLAS)
    }

    @Test("production without an encryption key stops start-up naming the key")
    func productionNeedsKeys() async throws {
        await #expect(
            throws: ConfigError.missingRequired(
                key: "CIRRUS_ENCRYPTION_KEYS", reason: "production needs at least one Fernet key (make one with `cirrus keygen`)")
        ) {
            try await AppConfig.load(
                environment: ["CIRRUS_ENV": "production", "API_BASE_URL": "https://kb.example.com"], environmentFile: "/nonexistent")
        }
    }

    @Test("production with no provider configured refuses to start instead of turning demo mode on; --demo is honoured, and says so")
    func productionNeverDemoByItself() async throws {
        let production = ["CIRRUS_ENV": "production", "API_BASE_URL": "https://kb.example.com", "CIRRUS_ENCRYPTION_KEYS": Fernet.generateKey()]
        // given no provider credentials, when the configuration loads, then it names the settings to set
        await #expect { try await AppConfig.load(environment: production, environmentFile: "/nonexistent") } throws: { error in
            guard case ConfigError.missingRequired(let key, let reason) = error else { return false }
            return key == "GOOGLE_CLIENT_ID" && reason.contains("--demo") && reason.contains("DROPBOX_APP_KEY")
        }
        // and asked for by name, demo mode runs
        let demo = try await AppConfig.load(environment: production.merging(["CIRRUS_DEMO": "true"]) { $1 }, environmentFile: "/nonexistent")
        #expect(demo.demo)
        // and with a provider configured, production is not demo
        let real = try await AppConfig.load(
            environment: production.merging(["GOOGLE_CLIENT_ID": "id", "GOOGLE_CLIENT_SECRET": "secret"]) { $1 }, environmentFile: "/nonexistent")
        #expect(!real.demo)
    }

    @Test("a half-configured provider names the missing key, never the secret's value")
    func halfConfiguredProvider() async throws {
        do {
            _ = try await AppConfig.load(environment: ["GOOGLE_CLIENT_SECRET": "s3cr3t-value"], environmentFile: "/nonexistent")
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.description.contains("GOOGLE_CLIENT_ID"))
            #expect(!error.description.contains("s3cr3t-value"))
        }
    }

    @Test("secrets never appear when a config is printed")
    func secretsRedacted() async throws {
        let key = Fernet.generateKey()
        let config = try await AppConfig.load(
            environment: [
                "DATABASE_URL": "postgres://cirrus:hunter2@db/cirrus", "CIRRUS_ENCRYPTION_KEYS": key,
                "DROPBOX_APP_KEY": "app", "DROPBOX_APP_SECRET": "dropbox-secret", "CIRRUS_ADMIN_PASSWORD": "admin-pass-123",
            ],
            environmentFile: "/nonexistent")
        let printed = "\(config) \(String(reflecting: config))"
        for secret in ["hunter2", key, "dropbox-secret", "admin-pass-123"] {
            #expect(!printed.contains(secret))
        }
        #expect(config.providers[.dropbox]?.clientSecret.revealed == "dropbox-secret")
        #expect(!config.demo)
    }

    @Test(
        "bad values are rejected with the key's name",
        arguments: [
            ("PORT", "eighty"), ("CIRRUS_DEMO", "maybe"), ("CIRRUS_ENCRYPTION_KEYS", "not-a-key"), ("LOG_LEVEL", "loud"),
            ("CIRRUS_TRUSTED_PROXIES", "10.0.0.0/33"), ("CIRRUS_TRUSTED_PROXIES", "proxy.internal"), ("CIRRUS_METRICS_TOKEN", "short"),
            ("CIRRUS_METRICS_PORT", "0"), ("CIRRUS_EMBEDDING_KERNELS", "cuda"),
        ])
    func invalidValues(key: String, value: String) async throws {
        do {
            _ = try await AppConfig.load(environment: [key: value], environmentFile: "/nonexistent")
            Issue.record("expected an error for \(key)")
        } catch let error as ConfigError {
            #expect(error.description.contains(key))
        }
    }

    @Test("an https public URL makes cookies Secure")
    func secureCookies() async throws {
        let config = try await AppConfig.load(environment: ["API_BASE_URL": "https://kb.example.com/"], environmentFile: "/nonexistent")
        #expect(config.secureCookies)
        #expect(config.apiBaseURL == "https://kb.example.com")
    }
}

@Suite("Files on disk")
struct DataFilesTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("the data directory is 0700 and the database, its log and the key file are 0600 from creation")
    func ownerOnly() async throws {
        // given: a data directory that does not exist yet, and no configured key (development)
        var harness = try await TestHarness.make()
        let directory = harness.dataDirectory.appendingPathComponent("fresh")
        harness.config.dataDirectory = directory.path
        harness.config.encryptionKeys = []
        // when: the server starts on it
        try await harness.withServer { client in _ = try await client.get("/health") }
        // then: only the owner can read any of it
        #expect(try Self.mode(directory.path) & 0o777 == 0o700)
        for name in TestHarness.postgresBaseURL == nil ? ["cirrus.sqlite", "encryption.key"] : ["encryption.key"] {
            #expect(try Self.mode(directory.appendingPathComponent(name).path) & 0o777 == 0o600, "\(name)")
        }
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("cirrus.sqlite-wal").path) {
            #expect(try Self.mode(directory.appendingPathComponent("cirrus.sqlite-wal").path) & 0o777 == 0o600)
        }
    }

    @Test("a malformed key file stops start-up with a clear error and is left as it was")
    func malformedKeyFile() async throws {
        // given: a key file that holds no key
        var harness = try await TestHarness.make()
        harness.config.encryptionKeys = []
        let file = harness.dataDirectory.appendingPathComponent(EncryptionKeys.developmentKeyFile)
        try Data("not a key\n".utf8).write(to: file)
        // when: the server starts, then: it refuses, naming the file, and the file is untouched
        await #expect(throws: ConfigError.self) { try await harness.withServer { _ in } }
        #expect(try String(contentsOf: file, encoding: .utf8) == "not a key\n")
    }
}

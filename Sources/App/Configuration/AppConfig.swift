import CirrusCore
import Configuration
import Foundation
import Knowledge
import Logging

/// Everything `cirrus` reads at start-up. Built by ``AppConfig/load(overrides:environment:)``
/// from command-line flags, then environment variables, then a `.env` file, then defaults.
///
/// Secrets are ``Secret`` values, so printing or logging a config reveals none of them.
public struct AppConfig: Sendable, CustomStringConvertible {
    /// Whether this is a development or a production deployment.
    public enum Mode: String, Sendable {
        case development
        case production
    }

    /// The client id and secret an operator registered with one provider.
    public struct ProviderCredentials: Sendable {
        public var clientID: String
        public var clientSecret: Secret<String>
        /// Microsoft only: `common`, `organizations`, `consumers` or a tenant id.
        public var tenant: String?

        public init(clientID: String, clientSecret: Secret<String>, tenant: String? = nil) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.tenant = tenant
        }
    }

    public var mode: Mode
    public var host: String
    public var port: Int
    public var dataDirectory: String
    /// `postgres://…` to use PostgreSQL; `nil` for the SQLite file under ``dataDirectory``.
    public var databaseURL: Secret<String>?
    /// Fernet keys, newest first. Empty in development means "use the key file in the data directory".
    public var encryptionKeys: [Secret<String>]
    /// The public URL of this server, used for OAuth redirect URIs and to decide on `Secure` cookies.
    public var apiBaseURL: String
    public var demo: Bool
    public var sandboxPort: Int
    /// Demo mode against a sandbox that runs elsewhere (`cirrus sandbox`), e.g. shared by several
    /// `cirrus` processes; `nil` starts one in-process.
    public var sandboxURL: String?
    public var adminEmail: String?
    public var adminPassword: Secret<String>?
    public var logLevel: Logger.Level
    public var providers: [Platform: ProviderCredentials]
    /// How long a sign-in session lasts without activity.
    public var sessionLifetimeSeconds: Int
    /// Failed sign-ins allowed per account (and, times four, per address) in ``loginWindowSeconds``.
    public var loginMaxFailures: Int
    /// Questions a website visitor may ask the widget per minute, and all of a site's visitors together.
    public var widgetVisitorLimit: Int
    public var widgetSiteLimit: Int
    /// Allowances of the expensive routes per person and per workspace (`CIRRUS_RATE_LIMITS`).
    public var rateLimits: RateLimits
    public var loginWindowSeconds: Int
    /// Whether `serve` applies migrations at start; `nil` means only on SQLite.
    public var autoMigrate: Bool?
    /// The bcrypt work factor for new password hashes.
    public var bcryptCost: Int
    /// Import workers in this process (0 for a web-only process).
    public var importWorkers: Int
    /// Files larger than this are skipped with a reason, in megabytes.
    public var importMaxFileMB: Int
    /// Seconds before the first retry of a transiently failed file (doubling each time, with jitter).
    public var importRetryBaseSeconds: Double
    /// Most files and folders one import job may hold; the rest end skipped with the reason.
    public var importMaxItems: Int
    /// Deepest folder level an import walks below the selected folders.
    public var importMaxDepth: Int
    /// How often a synced source is checked at its provider, unless the source says otherwise.
    public var syncIntervalSeconds: Int
    /// How many sources one process syncs at a time (0: this process syncs none).
    public var syncWorkers: Int
    /// How often a source with a change feed is compared in full anyway.
    public var syncReconcileSeconds: Int
    /// Whether this process holds long-polling calls on change feeds that offer them (Dropbox).
    public var syncLongpoll: Bool
    /// Whether push channels are opened where providers offer them (Drive) and `API_BASE_URL`
    /// is public https.
    public var syncPush: Bool
    /// Whether Microsoft 365 sources get Graph change notifications too. Off unless asked for:
    /// Graph creates subscriptions on files only for apps granted `Files.ReadWrite.All`.
    public var syncPushMicrosoft: Bool
    /// Whether the workspace webhook may post to loopback and private addresses (`CIRRUS_WEBHOOK_ALLOW_PRIVATE`).
    public var webhookAllowPrivate: Bool
    /// First wait before a failed webhook delivery is tried again; doubles each time.
    public var webhookRetryBaseSeconds: Int
    /// Seconds after a push message at which the source runs once more, for change feeds that
    /// lag their notifications (0: no second run).
    public var syncPushFollowUpSeconds: Int
    /// Child processes that read downloaded files (`cirrus extract`), each one file at a time.
    public var extractWorkers: Int
    /// Address space each reader process may use, in megabytes.
    public var extractMemoryMB: Int
    /// Time one file may take to read, in seconds (wall clock and CPU).
    public var extractTimeoutSeconds: Int
    /// Tesseract language packs OCR reads with, joined by `+` (`eng`, `eng+deu`).
    public var ocrLanguages: String
    /// How readily the chatbot answers rather than saying "I don't know".
    public var answerCaution: AnswerCaution
    /// The `cirrus` binary that runs the readers; by default this executable, or the `cirrus`
    /// next to it (tests, benchmarks).
    public var extractBinary: String?
    /// On SIGTERM, how long files being imported may take to finish before they are handed back
    /// to the queue (resumed on the next start, or by another worker process).
    public var shutdownGraceSeconds: Int
    /// Where the built-in embedder's model (tokenizer.json, model.safetensors) lives.
    public var modelDirectory: String
    /// What the built-in embedder's dense layers run on: oneDNN in bfloat16 where the CPU has
    /// AVX-512 BF16, else in fp32, unless set.
    public var embeddingKernels: DenseKernels
    /// An OpenAI-compatible embeddings service (`…/v1`) used instead of the built-in model.
    public var embeddingsURL: String?
    public var embeddingsModel: String
    public var embeddingsAPIKey: Secret<String>?
    /// An OpenAI-compatible chat-completions service (`…/v1`) that writes answers; extractive answers without it.
    public var llmURL: String?
    public var llmModel: String
    public var llmAPIKey: Secret<String>?

    /// Whether session cookies carry the `Secure` attribute: when the public URL is https.
    /// `CIRRUS_TRUSTED_PROXIES`: addresses and networks of reverse proxies whose `Forwarded` /
    /// `X-Forwarded-For` header names the client; empty: the socket's peer is the client.
    public var trustedProxies: String
    /// `CIRRUS_METRICS_TOKEN`: when set, `/metrics` wants `Authorization: Bearer` with it.
    public var metricsToken: Secret<String>?
    /// `CIRRUS_METRICS_PORT`: when set, `/metrics` is served only on this loopback port.
    public var metricsPort: Int?

    public var secureCookies: Bool { apiBaseURL.lowercased().hasPrefix("https://") }

    public var description: String {
        "AppConfig(mode: \(mode), host: \(host), port: \(port), dataDirectory: \(dataDirectory), "
            + "database: \(databaseURL == nil ? "sqlite" : "postgres"), demo: \(demo), "
            + "encryptionKeys: \(encryptionKeys.count), providers: \(providers.keys.map(\.rawValue).sorted()))"
    }
}

/// A configuration problem that stops start-up. Names the key, never its value.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case missingRequired(key: String, reason: String)
    case invalid(key: String, reason: String)

    public var description: String {
        switch self {
        case .missingRequired(let key, let reason): "Missing required setting \(key): \(reason)"
        case .invalid(let key, let reason): "Invalid setting \(key): \(reason)"
        }
    }
}

extension AppConfig {
    /// The configuration keys, as environment variables spell them. The README's table lists them.
    public enum Key {
        public static let mode = "CIRRUS_ENV"
        public static let host = "HOST"
        public static let port = "PORT"
        public static let dataDirectory = "DATA_DIR"
        public static let databaseURL = "DATABASE_URL"
        public static let encryptionKeys = "CIRRUS_ENCRYPTION_KEYS"
        public static let apiBaseURL = "API_BASE_URL"
        public static let demo = "CIRRUS_DEMO"
        public static let sandboxPort = "SANDBOX_PORT"
        public static let sandboxURL = "CIRRUS_SANDBOX_URL"
        public static let adminEmail = "CIRRUS_ADMIN_EMAIL"
        public static let adminPassword = "CIRRUS_ADMIN_PASSWORD"
        public static let logLevel = "LOG_LEVEL"
        public static let sessionLifetime = "CIRRUS_SESSION_LIFETIME_SECONDS"
        public static let loginMaxFailures = "CIRRUS_LOGIN_MAX_FAILURES"
        public static let widgetVisitorLimit = "CIRRUS_WIDGET_VISITOR_LIMIT"
        public static let widgetSiteLimit = "CIRRUS_WIDGET_SITE_LIMIT"
        public static let rateLimits = "CIRRUS_RATE_LIMITS"
        public static let loginWindow = "CIRRUS_LOGIN_WINDOW_SECONDS"
        public static let autoMigrate = "CIRRUS_AUTO_MIGRATE"
        public static let bcryptCost = "CIRRUS_BCRYPT_COST"
        public static let importWorkers = "CIRRUS_IMPORT_WORKERS"
        public static let importMaxFileMB = "CIRRUS_IMPORT_MAX_FILE_MB"
        public static let importRetryBase = "CIRRUS_IMPORT_RETRY_BASE_SECONDS"
        public static let importMaxItems = "CIRRUS_IMPORT_MAX_ITEMS"
        public static let importMaxDepth = "CIRRUS_IMPORT_MAX_DEPTH"
        public static let syncInterval = "CIRRUS_SYNC_INTERVAL_SECONDS"
        public static let syncWorkers = "CIRRUS_SYNC_WORKERS"
        public static let syncReconcile = "CIRRUS_SYNC_RECONCILE_SECONDS"
        public static let syncLongpoll = "CIRRUS_SYNC_LONGPOLL"
        public static let syncPush = "CIRRUS_SYNC_PUSH"
        public static let syncPushMicrosoft = "CIRRUS_SYNC_PUSH_MICROSOFT"
        public static let webhookAllowPrivate = "CIRRUS_WEBHOOK_ALLOW_PRIVATE"
        public static let webhookRetryBase = "CIRRUS_WEBHOOK_RETRY_BASE_SECONDS"
        public static let syncPushFollowUp = "CIRRUS_SYNC_PUSH_FOLLOW_UP_SECONDS"
        public static let shutdownGrace = "CIRRUS_SHUTDOWN_GRACE_SECONDS"
        public static let extractWorkers = "CIRRUS_EXTRACT_WORKERS"
        public static let extractMemoryMB = "CIRRUS_EXTRACT_MEMORY_MB"
        public static let extractTimeout = "CIRRUS_EXTRACT_TIMEOUT_SECONDS"
        public static let ocrLanguages = "CIRRUS_OCR_LANGUAGES"
        public static let answerCaution = "CIRRUS_ANSWER_CAUTION"
        public static let extractBinary = "CIRRUS_EXTRACT_BINARY"
        public static let modelDirectory = "CIRRUS_MODEL_DIR"
        public static let embeddingKernels = "CIRRUS_EMBEDDING_KERNELS"
        public static let embeddingsURL = "CIRRUS_EMBEDDINGS_URL"
        public static let embeddingsModel = "CIRRUS_EMBEDDINGS_MODEL"
        public static let embeddingsAPIKey = "CIRRUS_EMBEDDINGS_API_KEY"
        public static let llmURL = "CIRRUS_LLM_URL"
        public static let llmModel = "CIRRUS_LLM_MODEL"
        public static let llmAPIKey = "CIRRUS_LLM_API_KEY"
        public static let googleClientID = "GOOGLE_CLIENT_ID"
        public static let googleClientSecret = "GOOGLE_CLIENT_SECRET"
        public static let microsoftClientID = "MICROSOFT_CLIENT_ID"
        public static let microsoftClientSecret = "MICROSOFT_CLIENT_SECRET"
        public static let microsoftTenantID = "MICROSOFT_TENANT_ID"
        public static let dropboxAppKey = "DROPBOX_APP_KEY"
        public static let dropboxAppSecret = "DROPBOX_APP_SECRET"
        public static let confluenceClientID = "CONFLUENCE_CLIENT_ID"
        public static let confluenceClientSecret = "CONFLUENCE_CLIENT_SECRET"

        /// The settings holding a platform's OAuth client id and secret.
        public static func clientKeys(_ platform: Platform) -> (id: String, secret: String) {
            switch platform {
            case .googleDrive: (googleClientID, googleClientSecret)
            case .microsoft: (microsoftClientID, microsoftClientSecret)
            case .dropbox: (dropboxAppKey, dropboxAppSecret)
            case .confluence: (confluenceClientID, confluenceClientSecret)
            }
        }

        /// Every setting of a platform's OAuth client, for its setup checklist.
        public static func credentials(_ platform: Platform) -> [String] {
            let (id, secret) = clientKeys(platform)
            return [id, secret] + (platform == .microsoft ? [microsoftTenantID] : [])
        }
        public static let trustedProxies = "CIRRUS_TRUSTED_PROXIES"
        public static let metricsToken = "CIRRUS_METRICS_TOKEN"
        public static let metricsPort = "CIRRUS_METRICS_PORT"

        /// Keys whose values are secrets: redacted by the providers and typed ``Secret`` here.
        static let secrets: Set<String> = [
            databaseURL, encryptionKeys, adminPassword, googleClientSecret, microsoftClientSecret,
            dropboxAppSecret, confluenceClientSecret, embeddingsAPIKey, llmAPIKey, metricsToken,
        ]
    }

    /// Loads the configuration with the precedence flags > environment > `.env` file > defaults.
    ///
    /// - Parameters:
    ///   - overrides: values given on the command line, keyed like environment variables.
    ///   - environment: the process environment (a parameter so tests can pass their own).
    ///   - environmentFile: path of the `.env` file; a missing file is fine.
    public static func load(
        overrides: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        environmentFile: String = ".env"
    ) async throws -> AppConfig {
        let secrets = SecretsSpecifier<String, String>.specific(Key.secrets)
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: overrides, secretsSpecifier: secrets),
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: secrets),
            try await EnvironmentVariablesProvider(
                environmentFilePath: .init(environmentFile), allowMissing: true, secretsSpecifier: secrets),
        ])
        return try AppConfig(reader: reader)
    }

    init(reader: ConfigReader) throws {
        func string(_ key: String) -> String? {
            let value = reader.string(forKey: ConfigKey(key), isSecret: Key.secrets.contains(key))?
                .trimmingCharacters(in: .whitespaces)
            return value?.isEmpty == false ? value : nil
        }
        func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = string(key) else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigError.invalid(key: key, reason: "expected a whole number in \(range)")
            }
            return value
        }
        func bool(_ key: String) throws -> Bool? {
            guard let text = string(key)?.lowercased() else { return nil }
            switch text {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw ConfigError.invalid(key: key, reason: "expected true or false")
            }
        }

        guard let mode = Mode(rawValue: string(Key.mode) ?? "development") else {
            throw ConfigError.invalid(key: Key.mode, reason: "expected development or production")
        }
        self.mode = mode
        self.host = string(Key.host) ?? "127.0.0.1"
        self.port = try int(Key.port, default: 8080, range: 0...65535)
        self.dataDirectory = string(Key.dataDirectory) ?? "./data"
        self.databaseURL = string(Key.databaseURL).map(Secret.init)
        self.encryptionKeys = (string(Key.encryptionKeys) ?? "")
            .split(separator: ",").map { Secret(String($0).trimmingCharacters(in: .whitespaces)) }
            .filter { !$0.revealed.isEmpty }
        self.sandboxPort = try int(Key.sandboxPort, default: 9100, range: 0...65535)
        self.sandboxURL = string(Key.sandboxURL).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.apiBaseURL =
            string(Key.apiBaseURL).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        self.adminEmail = string(Key.adminEmail)
        self.adminPassword = string(Key.adminPassword).map(Secret.init)
        guard let level = Logger.Level(rawValue: string(Key.logLevel)?.lowercased() ?? "info") else {
            throw ConfigError.invalid(key: Key.logLevel, reason: "expected trace, debug, info, notice, warning, error or critical")
        }
        self.logLevel = level
        self.sessionLifetimeSeconds = try int(Key.sessionLifetime, default: 8 * 3600, range: 60...(90 * 86400))
        self.loginMaxFailures = try int(Key.loginMaxFailures, default: 5, range: 1...1000)
        self.widgetVisitorLimit = try int(Key.widgetVisitorLimit, default: 10, range: 1...10_000)
        self.widgetSiteLimit = try int(Key.widgetSiteLimit, default: 120, range: 1...100_000)
        do {
            self.rateLimits = try string(Key.rateLimits).map(RateLimits.parse) ?? .defaults
        } catch {
            throw ConfigError.invalid(key: Key.rateLimits, reason: error.reason)
        }
        self.loginWindowSeconds = try int(Key.loginWindow, default: 900, range: 1...86400)
        self.autoMigrate = try bool(Key.autoMigrate)
        self.bcryptCost = try int(Key.bcryptCost, default: 12, range: 4...31)
        self.importWorkers = try int(Key.importWorkers, default: 4, range: 0...64)
        self.importMaxFileMB = try int(Key.importMaxFileMB, default: 100, range: 1...10_000)
        self.importRetryBaseSeconds = Double(try int(Key.importRetryBase, default: 1, range: 0...600))
        self.importMaxItems = try int(Key.importMaxItems, default: 50_000, range: 1...10_000_000)
        self.importMaxDepth = try int(Key.importMaxDepth, default: 64, range: 1...1000)
        self.syncIntervalSeconds = try int(
            Key.syncInterval, default: 300, range: SyncSettings.minimumInterval...SyncSettings.maximumInterval)
        self.syncWorkers = try int(Key.syncWorkers, default: 2, range: 0...16)
        self.syncReconcileSeconds = try int(Key.syncReconcile, default: 86400, range: 60...(30 * 86400))
        self.syncLongpoll = try bool(Key.syncLongpoll) ?? true
        self.syncPush = try bool(Key.syncPush) ?? true
        self.syncPushMicrosoft = try bool(Key.syncPushMicrosoft) ?? false
        self.webhookAllowPrivate = try bool(Key.webhookAllowPrivate) ?? false
        self.webhookRetryBaseSeconds = try int(Key.webhookRetryBase, default: 10, range: 0...3600)
        self.syncPushFollowUpSeconds = try int(Key.syncPushFollowUp, default: 90, range: 0...3600)
        self.shutdownGraceSeconds = try int(Key.shutdownGrace, default: 10, range: 0...3600)
        self.trustedProxies = string(Key.trustedProxies) ?? ""
        if case .failure(let error) = TrustedProxies.parse(trustedProxies) {
            throw ConfigError.invalid(key: Key.trustedProxies, reason: "\(error.entry) is not an address or network (such as 10.0.0.0/8 or ::1)")
        }
        self.metricsToken = string(Key.metricsToken).map(Secret.init)
        if let token = metricsToken, token.revealed.count < 16 {
            throw ConfigError.invalid(key: Key.metricsToken, reason: "use at least 16 characters")
        }
        self.metricsPort = try string(Key.metricsPort).map { _ in try int(Key.metricsPort, default: 0, range: 1...65535) }
        self.extractWorkers = try int(Key.extractWorkers, default: 2, range: 1...64)
        self.extractMemoryMB = try int(Key.extractMemoryMB, default: 3072, range: 256...1_048_576)
        self.extractTimeoutSeconds = try int(Key.extractTimeout, default: 60, range: 1...3600)
        self.extractBinary = string(Key.extractBinary)
        self.ocrLanguages = string(Key.ocrLanguages) ?? "eng"
        let packs = ocrLanguages.split(separator: "+", omittingEmptySubsequences: false)
        guard !packs.isEmpty, packs.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0 == "_" } }) else {
            throw ConfigError.invalid(key: Key.ocrLanguages, reason: "name Tesseract language packs joined by +, such as eng or eng+deu")
        }
        let caution = string(Key.answerCaution) ?? AnswerCaution.balanced.rawValue
        guard let answerCaution = AnswerCaution(rawValue: caution.lowercased()) else {
            throw ConfigError.invalid(key: Key.answerCaution, reason: "use lenient, balanced or cautious")
        }
        self.answerCaution = answerCaution
        self.modelDirectory = string(Key.modelDirectory) ?? "models/all-MiniLM-L6-v2"
        if let named = string(Key.embeddingKernels) {
            guard let kernels = DenseKernels(rawValue: named.lowercased()) else {
                throw ConfigError.invalid(key: Key.embeddingKernels, reason: "use onednn, onednn-bf16 or openblas")
            }
            self.embeddingKernels = kernels
        } else {
            self.embeddingKernels = .preferred()
        }
        func serviceURL(_ key: String) throws -> String? {
            guard let url = string(key) else { return nil }
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                throw ConfigError.invalid(key: key, reason: "expected an http(s) URL of an OpenAI-compatible API, such as http://127.0.0.1:11434/v1")
            }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        self.embeddingsURL = try serviceURL(Key.embeddingsURL)
        self.embeddingsModel = string(Key.embeddingsModel) ?? "text-embedding-3-small"
        self.embeddingsAPIKey = string(Key.embeddingsAPIKey).map(Secret.init)
        self.llmURL = try serviceURL(Key.llmURL)
        self.llmModel = string(Key.llmModel) ?? "llama3.1"
        self.llmAPIKey = string(Key.llmAPIKey).map(Secret.init)

        var providers: [Platform: ProviderCredentials] = [:]
        for platform in Platform.allCases {
            let (idKey, secretKey) = Key.clientKeys(platform)
            switch (string(idKey), string(secretKey)) {
            case (let id?, let secret?):
                providers[platform] = ProviderCredentials(
                    clientID: id, clientSecret: Secret(secret),
                    tenant: platform == .microsoft ? (string(Key.microsoftTenantID) ?? "common") : nil)
            case (nil, nil):
                break
            case (nil, _):
                throw ConfigError.missingRequired(key: idKey, reason: "\(secretKey) is set but \(idKey) is not")
            case (_, nil):
                throw ConfigError.missingRequired(key: secretKey, reason: "\(idKey) is set but \(secretKey) is not")
            }
        }
        self.providers = providers
        // With no provider credentials at all there is nothing real to connect to: in development
        // run the sandbox; in production only when asked for by name (its demo secrets are public).
        let askedForDemo = try bool(Key.demo)
        self.demo = askedForDemo ?? (mode != .production && providers.isEmpty)

        if mode == .production {
            if encryptionKeys.isEmpty {
                throw ConfigError.missingRequired(
                    key: Key.encryptionKeys, reason: "production needs at least one Fernet key (make one with `cirrus keygen`)")
            }
            if string(Key.apiBaseURL) == nil {
                throw ConfigError.missingRequired(
                    key: Key.apiBaseURL, reason: "production needs the public URL that OAuth providers redirect to")
            }
            if providers.isEmpty && askedForDemo == nil {
                throw ConfigError.missingRequired(
                    key: Key.googleClientID,
                    reason: "production needs at least one provider's credentials (\(Key.googleClientID)/\(Key.googleClientSecret), "
                        + "\(Key.microsoftClientID)/\(Key.microsoftClientSecret), \(Key.dropboxAppKey)/\(Key.dropboxAppSecret) or "
                        + "\(Key.confluenceClientID)/\(Key.confluenceClientSecret)); to run on the built-in sandbox say so with --demo")
            }
        }
        for key in encryptionKeys {
            guard (try? Fernet(key: key.revealed)) != nil else {
                throw ConfigError.invalid(key: Key.encryptionKeys, reason: "every key must be 32 bytes of URL-safe base64")
            }
        }
    }
}

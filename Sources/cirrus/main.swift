import App
import ArgumentParser
import CirrusCore
import Demo
import Extraction
import Foundation
import Hummingbird
import Knowledge
import Logging
import Sandbox

/// The `cirrus` command: a thin layer over the `App` library.
@main
struct Cirrus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cirrus: a self-hosted knowledge base fed from Google Drive, Microsoft 365, Dropbox and Confluence.",
        version: CirrusVersion.current,
        subcommands: [Serve.self, Worker.self, Migrate.self, CreateAdmin.self, Keygen.self, RotateKeys.self, SandboxCommand.self, Embed.self, Extract.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every command that touches the store shares. Flags win over the environment and `.env`.
struct StoreOptions: ParsableArguments {
    @Option(help: "Directory for the SQLite database and local files (env DATA_DIR).")
    var dataDir: String?

    var overrides: [String: String] {
        var values: [String: String] = [:]
        if let dataDir { values[AppConfig.Key.dataDirectory] = dataDir }
        return values
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Cirrus server.")

    @Option(help: "Address to listen on (env HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env PORT, default 8080).") var port: Int?
    @OptionGroup var store: StoreOptions
    @Flag(help: "Run against the built-in provider sandbox (env CIRRUS_DEMO; on when no provider is configured).") var demo = false
    @Option(help: "Port of the in-process provider sandbox in demo mode (env SANDBOX_PORT, default 9100).") var sandboxPort: Int?

    func run() async throws {
        var overrides = store.overrides
        if let host { overrides[AppConfig.Key.host] = host }
        if let port { overrides[AppConfig.Key.port] = String(port) }
        if demo { overrides[AppConfig.Key.demo] = "true" }
        if let sandboxPort { overrides[AppConfig.Key.sandboxPort] = String(sandboxPort) }
        let config = try await loadConfig(overrides)
        let app = try await DemoEnvironment.application(config, logger: makeLogger(config))
        try await app.runService()
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run import workers only (several processes share the queue on PostgreSQL).")
    @OptionGroup var store: StoreOptions
    @Option(help: "Concurrent imports in this process (env CIRRUS_IMPORT_WORKERS, default 4).") var workers: Int?

    func run() async throws {
        var overrides = store.overrides
        if let workers { overrides[AppConfig.Key.importWorkers] = String(workers) }
        let config = try await loadConfig(overrides)
        guard !config.demo || config.sandboxURL != nil else {
            throw ValidationError("In demo mode a worker needs the shared sandbox (`cirrus sandbox`) the servers use: set \(AppConfig.Key.sandboxURL).")
        }
        let logger = makeLogger(config)
        let providers = await DemoEnvironment.providers(for: config, logger: logger)
        try await runImportWorkers(config, providers: providers.setup, logger: logger)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations that have not run yet.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let config = try await loadConfig(store.overrides)
        try await AdminTasks.migrate(config, logger: makeLogger(config))
        print("Migrations are up to date.")
    }
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-admin", abstract: "Create an admin user.")
    @Option(help: "The admin's email address.") var email: String
    @Option(
        help: ArgumentHelp(
            "A file holding the password (at least 10 characters; one line). Without it the password is read from standard input.",
            discussion: "Never on the command line: arguments are visible to every user of the machine and kept in shell history."))
    var passwordFile: String?
    @Option(help: "The name shown in the interface.") var name: String?
    @Flag(help: "Make the user an owner rather than an admin.") var owner = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let config = try await loadConfig(store.overrides)
        let password = try readPassword()
        try await AdminTasks.createAdmin(config, email: email, password: password, name: name, owner: owner, logger: makeLogger(config))
        print("Created \(owner ? "owner" : "admin") \(email.lowercased()).")
    }
}

extension CreateAdmin {
    /// The password from `--password-file`, else from standard input (asked for without echo on a terminal).
    func readPassword() throws -> String {
        let text: String?
        if let passwordFile {
            text = try String(contentsOfFile: passwordFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
        } else if isatty(STDIN_FILENO) == 1, let typed = getpass("Password for \(email): ") {
            text = String(cString: typed)
        } else {
            text = readLine(strippingNewline: true)
        }
        guard let password = text?.trimmingCharacters(in: CharacterSet(charactersIn: "\r")), !password.isEmpty else {
            throw ValidationError("No password given: pass --password-file, or send it on standard input.")
        }
        return password
    }
}

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a new encryption key for CIRRUS_ENCRYPTION_KEYS.")

    func run() {
        print(Fernet.generateKey())
    }
}

struct RotateKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-keys",
        abstract: "Re-encrypt every stored token with the first key of CIRRUS_ENCRYPTION_KEYS.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let config = try await loadConfig(store.overrides)
        let report = try await AdminTasks.rotateKeys(config, logger: makeLogger(config))
        print("Re-encrypted \(report.rotated) record(s); \(report.alreadyCurrent) already used the newest key.")
    }
}

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "Run the emulators of Google Drive, Microsoft 365, Dropbox and Confluence alone.")

    @Option(help: "Port to listen on (loopback).") var port = 9100
    @Option(help: "Base URL of a Cirrus server whose OAuth redirect URIs the demo clients accept (repeatable).")
    var appURL: [String] = ["http://127.0.0.1:8080"]

    func run() async throws {
        var logger = Logger(label: "cirrus-sandbox")
        logger.logLevel = .info
        let sandbox = Sandbox(configuration: .init(redirectURIs: DemoEnvironment.redirectURIs(appBaseURLs: appURL)))
        await sandbox.start()
        try await buildSandboxApplication(sandbox, host: "127.0.0.1", port: port, logger: logger).runService()
    }
}

/// `cirrus embed`: the built-in model's vectors of the lines on standard input, with the matrix
/// kernels that made them, to compare one machine's embeddings (or one `CIRRUS_EMBEDDING_KERNELS`'s,
/// `OPENBLAS_CORETYPE`'s or `DNNL_MAX_CPU_ISA`'s) with another's.
struct Embed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the built-in model's vectors of the lines on standard input as JSON, with the matrix kernels used.")
    @Option(help: "Directory of the embedding model (env CIRRUS_MODEL_DIR, default models/all-MiniLM-L6-v2).") var modelDirectory: String?
    @Option(help: "Switch to this OpenBLAS family after choosing one, as the server does from the CPU's features (e.g. Haswell).")
    var kernels: String?

    struct Output: Encodable {
        let kernels: KernelReport
        let vectors: [[Float]]
    }

    func run() async throws {
        // The configuration the server would read: CIRRUS_MODEL_DIR, CIRRUS_EMBEDDING_KERNELS.
        let config = try await loadConfig(modelDirectory.map { [AppConfig.Key.modelDirectory: $0] } ?? [:])
        var openBLAS = MatrixKernels.active
        if let kernels {
            guard let switched = MatrixKernels.switchFamily(to: kernels) else {
                throw ValidationError("This OpenBLAS cannot switch kernels (it is not built for several architectures).")
            }
            openBLAS = switched
        }
        let embedder = try MiniLMEmbedder(directory: URL(fileURLWithPath: config.modelDirectory), kernels: config.embeddingKernels)
        var lines: [String] = []
        while let line = readLine() { lines.append(line) }
        let used = KernelReport(dense: embedder.denseKernels, openBLAS: openBLAS)
        let output = Output(kernels: used, vectors: embedder.embedNow(lines))
        FileHandle.standardOutput.write(try JSONEncoder().encode(output))
    }
}

/// `cirrus extract`: a reader process. The server starts a few and sends them files over a pipe
/// (see `IsolatedReader`); not meant to be run by hand.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read documents sent on standard input (started by the server; not for direct use).", shouldDisplay: false)
    @Option(help: "Address space limit in megabytes (0: none).") var memoryMb = 3072
    @Option(help: "Time one file may take, in seconds.") var timeoutSeconds = 60
    @Option(help: "Tesseract language packs for OCR, joined by +.") var ocrLanguages = "eng"

    func run() throws {
        let limits = ExtractionLimits(timeout: .seconds(timeoutSeconds))
        let status = ReaderProcess.serve(memoryLimitMB: memoryMb, extractors: Extractors(limits: limits, ocr: OCRSettings(languages: ocrLanguages)))
        if status != 0 { throw ExitCode(status) }
    }
}

func loadConfig(_ overrides: [String: String]) async throws -> AppConfig {
    do {
        return try await AppConfig.load(overrides: overrides)
    } catch let error as ConfigError {
        throw ValidationError(error.description)
    }
}

func makeLogger(_ config: AppConfig) -> Logger {
    var logger = Logger(label: "cirrus")
    logger.logLevel = config.logLevel
    return logger
}

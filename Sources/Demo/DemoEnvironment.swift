import App
import CirrusCore
import Connectors
import Extraction
import Hummingbird
import Logging
import Sandbox
import ServiceLifecycle
import Synchronization

/// Demo mode, wired by the composition root: the provider sandbox in place of the real
/// providers, with its public demo OAuth clients. `App` knows nothing of it; it receives the
/// ``ProviderSetup`` and, when the sandbox runs in-process, the service that serves it.
public enum DemoEnvironment {
    /// The providers (and extra services) `config` asks for: the configured OAuth apps, or in
    /// demo mode the sandbox — the shared one at `CIRRUS_SANDBOX_URL`, else one started here on
    /// `SANDBOX_PORT` whose demo clients accept this server's redirect URIs.
    public static func providers(for config: AppConfig, logger: Logger) async -> (setup: ProviderSetup, services: [any Service]) {
        guard config.demo else { return (.configured(config), []) }
        if let shared = config.sandboxURL { return (setup(origin: { shared }), []) }
        let origin = SandboxOrigin()
        let sandbox = Sandbox(configuration: .init(redirectURIs: redirectURIs(appBaseURLs: [config.apiBaseURL])))
        await sandbox.start()
        // On its own loopback port, so the browser meets it as a separate origin, as it would
        // the real provider.
        let server = buildSandboxApplication(sandbox, host: "127.0.0.1", port: config.sandboxPort, logger: logger) { port in
            origin.set(port: port)
        }
        return (setup(origin: { origin.value }), [server])
    }

    /// The demo clients' redirect URIs for Cirrus servers at these public URLs.
    public static func redirectURIs(appBaseURLs: [String]) -> [Platform: [String]] {
        Dictionary(
            uniqueKeysWithValues: Platform.allCases.map { platform in
                (platform, appBaseURLs.map { ProviderSetup.redirectURI(baseURL: $0, platform: platform) })
            })
    }

    /// Every provider at the sandbox on `origin`, signed in to with its demo client.
    static func setup(origin: @escaping @Sendable () -> String) -> ProviderSetup {
        ProviderSetup(
            apps: Dictionary(
                uniqueKeysWithValues: Platform.allCases.map { platform in
                    let client = DemoClients.client(for: platform, redirectURIs: [])
                    return (platform, ProviderApp(clientID: client.clientID, clientSecret: Secret(client.clientSecret), hosts: .standIn(origin: origin)))
                }),
            standIn: true)
    }
}

extension DemoEnvironment {
    /// ``App/buildApplication(_:providers:services:logger:reader:)`` with the providers `config`
    /// asks for, as `cirrus serve`, the tests and the benchmarks start the server.
    public static func application(
        _ config: AppConfig, logger: Logger? = nil, reader: (any DocumentReader)? = nil
    ) async throws -> some ApplicationProtocol {
        var logger = logger ?? Logger(label: "cirrus")
        logger.logLevel = config.logLevel
        let providers = await providers(for: config, logger: logger)
        return try await buildApplication(config, providers: providers.setup, services: providers.services, logger: logger, reader: reader)
    }
}

/// The in-process sandbox's origin once it listens (its port may be chosen by the system in tests).
final class SandboxOrigin: Sendable {
    private let port = Mutex<Int?>(nil)

    func set(port: Int) { self.port.withLock { $0 = port } }
    var value: String { "http://127.0.0.1:\(port.withLock { $0 } ?? 0)" }
}

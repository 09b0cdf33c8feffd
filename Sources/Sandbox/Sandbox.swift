import CirrusCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// What a sandbox is set up with.
public struct SandboxConfiguration: Sendable {
    /// The redirect URIs registered for each provider's demo OAuth client (exact match, as the
    /// real providers compare them).
    public var redirectURIs: [Platform: [String]]
    /// Google's export size cap (10 MB at Google); smaller in tests.
    public var exportLimitBytes: Int
    /// Seed the demo corpus at start-up.
    public var seedCorpus: Bool
    /// How long Atlassian accepts a rotated-away refresh token (10 minutes); shorter in tests.
    public var atlassianReuseLeewaySeconds: Double
    /// The authorization servers' clock (token lifetimes, code expiry, reuse leeway); tests
    /// move a clock of their own instead of waiting.
    public var now: @Sendable () -> Date

    public init(
        redirectURIs: [Platform: [String]] = [:], exportLimitBytes: Int = 10 * 1024 * 1024, seedCorpus: Bool = true,
        atlassianReuseLeewaySeconds: Double = 600, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.redirectURIs = redirectURIs
        self.exportLimitBytes = exportLimitBytes
        self.seedCorpus = seedCorpus
        self.atlassianReuseLeewaySeconds = atlassianReuseLeewaySeconds
    }
}

/// The OAuth clients registered by default, so demo mode works with no setup.
public enum DemoClients {
    public static func client(for platform: Platform, redirectURIs: [String]) -> OAuthClient {
        switch platform {
        case .googleDrive:
            OAuthClient(
                platform: platform, clientID: "100000000001-cirrusdemo.apps.googleusercontent.com", clientSecret: "GOCSPX-cirrus-demo-secret",
                redirectURIs: redirectURIs)
        case .microsoft:
            OAuthClient(
                platform: platform, clientID: "6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b", clientSecret: "cirrus~demo~microsoft~secret", redirectURIs: redirectURIs)
        case .dropbox:
            OAuthClient(platform: platform, clientID: "cirrusdemoappkey", clientSecret: "cirrusdemoappsecret", redirectURIs: redirectURIs)
        case .confluence:
            OAuthClient(platform: platform, clientID: "CirrusDemoConfluenceClient01", clientSecret: "cirrus-demo-confluence-secret", redirectURIs: redirectURIs)
        }
    }
}

/// The four provider emulators with their shared state: files, tokens, faults and statistics.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration
    public let store: SandboxStore
    public let authority: OAuthAuthority
    public let monitor: SandboxMonitor
    public let accounts: [Platform: [SandboxAccount]]
    /// Outbound notifications (Dropbox's app webhook, Drive's change channels, Graph's
    /// subscriptions) and their deliveries.
    public let webhooks: Webhooks
    /// The providers' time, which the control API can move forward.
    public let clock: SandboxClock
    let emulators: [any ProviderEmulator]

    public init(configuration: SandboxConfiguration = SandboxConfiguration()) {
        self.configuration = configuration
        let clock = SandboxClock(base: configuration.now)
        let authority = OAuthAuthority(now: clock.now)
        let webhooks = Webhooks(clock: clock)
        let dropboxAccounts = SandboxAccounts.all[.dropbox] ?? []
        // Dropbox notifies the app's webhook of changes in linked accounts, signed with the app secret.
        let store = SandboxStore(
            clock: clock,
            onChange: { platform, container in
                if platform == .googleDrive { Task { await webhooks.driveChanged() } }
                if platform == .microsoft, let container { Task { await webhooks.graphChanged(drive: container) } }
                guard platform == .dropbox else { return }
                Task {
                    let secret = await authority.allClients().first { $0.platform == .dropbox }?.clientSecret
                    await webhooks.changed(
                        .dropbox, accounts: dropboxAccounts.map(\.id), users: dropboxAccounts.compactMap { Int(DropboxEmulator.uid($0)) }, secret: secret)
                }
            })
        self.webhooks = webhooks
        self.clock = clock
        self.store = store
        self.authority = authority
        self.monitor = SandboxMonitor()
        self.accounts = SandboxAccounts.all
        self.emulators = [
            GoogleEmulator(
                store: store, authority: authority, accounts: SandboxAccounts.all[.googleDrive] ?? [], exportLimitBytes: configuration.exportLimitBytes,
                webhooks: webhooks),
            MicrosoftEmulator(store: store, authority: authority, accounts: SandboxAccounts.all[.microsoft] ?? [], webhooks: webhooks),
            DropboxEmulator(store: store, authority: authority, accounts: SandboxAccounts.all[.dropbox] ?? []),
            ConfluenceEmulator(
                store: store, authority: authority, accounts: SandboxAccounts.all[.confluence] ?? [],
                reuseLeeway: configuration.atlassianReuseLeewaySeconds),
        ]
    }

    /// Registers the demo clients and seeds the corpus.
    public func start() async {
        for platform in Platform.allCases {
            await authority.register(DemoClients.client(for: platform, redirectURIs: configuration.redirectURIs[platform] ?? []))
        }
        if configuration.seedCorpus { await Corpus.seed(into: store) }
    }

    /// Back to the seeded corpus, with no tokens, faults or statistics, at the base time.
    public func reset() async {
        clock.reset()
        await store.removeAll()
        await authority.reset()
        for case let confluence as ConfluenceEmulator in emulators { await confluence.grants.reset() }
        await monitor.clearFaults()
        await monitor.resetStats()
        await webhooks.reset()
        if configuration.seedCorpus { await Corpus.seed(into: store) }
    }

    func emulator(for host: ProviderHost) -> (any ProviderEmulator)? {
        emulators.first { $0.hosts.contains(host) }
    }
}

/// Builds the sandbox's HTTP server: provider hosts under `/{host}/…`, the control API under `/_sandbox`.
/// - Parameter onListening: called with the bound port once the server listens (useful with port 0).
public func buildSandboxApplication(
    _ sandbox: Sandbox, host: String = "127.0.0.1", port: Int, logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    SandboxControlAPI(sandbox: sandbox).addRoutes(to: router)
    let dispatcher = SandboxDispatcher(sandbox: sandbox)
    for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head] {
        router.on("/**", method: method) { request, context in
            try await dispatcher.dispatch(request, context: context)
        }
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "Cirrus-Sandbox"),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
        logger: logger)
}

import CirrusCore
import Logging

/// The long-lived parts the routes are built from, made once by ``buildApplication(_:logger:)``.
struct Dependencies: Sendable {
    let config: AppConfig
    let store: Store
    let vault: TokenVault
    let accounts: Accounts
    let audit: Audit
    let throttle: LoginThrottle
    let metrics: MetricsRegistry
    let integrations: IntegrationDirectory
    let connectors: ConnectorRegistry
    let knowledge: KnowledgeBase
    let logger: Logger

    /// The reverse proxies whose forwarding headers are believed (validated when the config loaded).
    var trustedProxies: TrustedProxies { (try? TrustedProxies.parse(config.trustedProxies).get()) ?? .none }

    /// Cookie names and attributes for this server's origin.
    var cookies: CookieNames { CookieNames(secure: config.secureCookies) }

    /// The allowances of the expensive routes, counted in the store.
    var rateLimiter: RateLimiter { RateLimiter(store: store, limits: config.rateLimits, metrics: metrics) }

    /// Notices to people about what needs them.
    var notifications: NotificationService { NotificationService(store: store, logger: logger, publicURL: config.apiBaseURL) }

    /// The workspace's outbound webhook settings and log.
    var webhooks: WebhookService { WebhookService(store: store, vault: vault, audit: audit, allowPrivate: config.webhookAllowPrivate) }

    /// The frame of signed-in pages.
    var chrome: PageChrome.Factory { PageChrome.Factory(demo: connectors.setup.standIn) }
}

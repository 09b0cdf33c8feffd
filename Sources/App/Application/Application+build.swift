import AsyncHTTPClient
import CirrusCore
import Connectors
import Extraction
import Foundation
import Hummingbird
import Knowledge
import Logging
import ServiceLifecycle

/// Builds the Cirrus server from its configuration: opens and (on SQLite) migrates the store,
/// makes sure an owner exists, and wires routes, middleware and background services.
///
/// This is the one wiring path: the `cirrus` executable and the tests both call it.
/// - Parameters:
///   - providers: the OAuth apps and provider hosts to connect to; by default the configured
///     apps against the real hosts. Demo mode passes the sandbox's.
///   - services: more services to run beside the server (demo mode's in-process sandbox).
///   - reader: how downloaded files are read; by default in `cirrus extract` child
///     processes. Only the import benchmark passes another (its in-process yardstick).
public func buildApplication(
    _ config: AppConfig, providers: ProviderSetup? = nil, services extraServices: [any Service] = [], logger: Logger? = nil,
    reader: (any DocumentReader)? = nil
) async throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "cirrus")
    logger.logLevel = config.logLevel
    let store = try Store(config: config, logger: logger)
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    do {
        try await store.tune()
        if config.autoMigrate ?? (store.engine == .sqlite) { try await store.migrate() }
        let deps = try makeDependencies(
            config: config, store: store, logger: logger, http: http, providers: providers ?? .configured(config))
        try await OwnerBootstrap.ensureOwner(config: config, accounts: deps.accounts, audit: deps.audit, logger: logger)
        let tokens = TokenManager(deps: deps)
        let imports = ImportQueue(store: store)
        var isolated: IsolatedReader?
        let documentReader: any DocumentReader
        if let reader {
            documentReader = reader
        } else {
            let pool = try makeReader(config)
            (isolated, documentReader) = (pool, pool)
        }
        var services: [any Service] = [
            StoreLifecycle(store: store), HTTPClientLifecycle(client: http),
            MaintenanceService(accounts: deps.accounts, limiter: deps.rateLimiter, logger: logger),
        ]
        if let isolated { services.append(ReaderLifecycle(reader: isolated)) }
        services.append(KnowledgeSync(knowledge: deps.knowledge, logger: logger))
        if config.importWorkers > 0 {
            services.append(Reembedder(knowledge: deps.knowledge, logger: logger))
            services.append(
                ImportWorkers(
                    processor: ImportProcessor(
                        deps: deps, tokens: tokens, queue: imports, settings: config.importSettings, extractors: Extractors(), reader: documentReader),
                    queue: imports, workers: config.importWorkers, singleProcess: store.engine == .sqlite, logger: logger,
                    grace: .seconds(config.shutdownGraceSeconds)))
        }
        services.append(contentsOf: makeSyncServices(deps, tokens: tokens, singleProcess: store.engine == .sqlite))
        services.append(
            WebhookDeliverer(
                store: store, vault: deps.vault, http: http, allowPrivate: config.webhookAllowPrivate,
                retryBase: TimeInterval(config.webhookRetryBaseSeconds), logger: logger))
        if let metricsPort = config.metricsPort {
            // Metrics on their own loopback port: reachable by a local Prometheus or sidecar,
            // never through the public listener or its reverse proxy.
            let metricsRouter = Router()
            SystemAPI(deps: deps).addMetricsRoute(to: metricsRouter)
            services.append(
                Application(
                    router: metricsRouter, configuration: .init(address: .hostname("127.0.0.1", port: metricsPort), serverName: "Cirrus metrics"),
                    logger: logger))
        }
        services.append(contentsOf: extraServices)
        return Application(
            router: buildRouter(deps, tokens: tokens, imports: imports, sync: SyncSchedule(store: store), reader: documentReader),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Cirrus"),
            services: services,
            logger: logger)
    } catch {
        // Whatever was opened before the failure is closed again (the client traps if it is not).
        try? await http.shutdown()
        await store.shutdown()
        throw error
    }
}

func makeDependencies(config: AppConfig, store: Store, logger: Logger, http: HTTPClient, providers: ProviderSetup) throws -> Dependencies {
    let accounts = Accounts(
        store: store, bcryptCost: UInt8(config.bcryptCost), sessionLifetime: TimeInterval(config.sessionLifetimeSeconds))
    return Dependencies(
        config: config, store: store, vault: try EncryptionKeys.vault(config, logger: logger), accounts: accounts,
        audit: Audit(store: store, logger: logger),
        throttle: LoginThrottle(maxFailures: config.loginMaxFailures, windowSeconds: config.loginWindowSeconds),
        metrics: MetricsRegistry(), integrations: IntegrationDirectory(store: store),
        connectors: ConnectorRegistry(config: config, http: ProviderHTTP(client: http), setup: providers),
        knowledge: makeKnowledgeBase(config: config, store: store, http: http, logger: logger), logger: logger)
}

/// The knowledge base with the configured embedder: an OpenAI-compatible service when
/// `CIRRUS_EMBEDDINGS_URL` is set, else the built-in model (words-only search, with a warning,
/// when its files are missing). The model's WordPiece tokenizer sizes chunks whenever it is
/// there; with a remote embedder only the tokenizer is read, not the 90 MB of weights.
func makeKnowledgeBase(config: AppConfig, store: Store, http: HTTPClient, logger: Logger) -> KnowledgeBase {
    let directory = URL(fileURLWithPath: config.modelDirectory)
    let embedder: (any Embedder)?
    let tokenizer: WordPieceTokenizer?
    if let url = config.embeddingsURL {
        embedder = OpenAIEmbedder(
            endpoint: OpenAIEndpoint(baseURL: url, model: config.embeddingsModel, apiKey: config.embeddingsAPIKey?.revealed), http: http)
        tokenizer = try? WordPieceTokenizer(tokenizerJSON: directory.appendingPathComponent("tokenizer.json"))
    } else {
        do {
            let builtIn = try MiniLMEmbedder.shared(directory: directory, kernels: config.embeddingKernels)
            (embedder, tokenizer) = (builtIn, builtIn.tokenizer)
            // Which kernels run decides the embedder's speed several times over.
            logger.info("built-in embedder: \(builtIn.kernelsSummary)")
        } catch {
            (embedder, tokenizer) = (nil, nil)
            logger.warning("no embedding model: search matches words only", metadata: ["reason": "\(error)"])
        }
    }
    let languageModel = config.llmURL.map {
        OpenAIChatClient(endpoint: OpenAIEndpoint(baseURL: $0, model: config.llmModel, apiKey: config.llmAPIKey?.revealed), http: http)
    }
    return KnowledgeBase(store: store, embedder: embedder, tokenizer: tokenizer, languageModel: languageModel, logger: logger)
}

/// Routes and middleware. Middleware is added before routes: Hummingbird applies a router's
/// middleware to the routes registered after it. Routes for signed-in people are registered on
/// groups of ``SignedInContext`` (identity required) or ``AdminContext`` (owner or admin).
func buildRouter(
    _ deps: Dependencies, tokens: TokenManager, imports queue: ImportQueue, sync schedule: SyncSchedule, reader: any DocumentReader
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: HTTPMetricsMiddleware(metrics: deps.metrics))
    router.add(middleware: ClientAddressMiddleware(proxies: deps.trustedProxies))
    let connectors = deps.connectors
    router.add(
        middleware: SecurityHeadersMiddleware(
            strictTransport: deps.config.apiBaseURL.lowercased().hasPrefix("https://"), formTargets: { connectors.consentOrigins }))
    router.add(
        middleware: ErrorMiddleware { status, message, context in
            ErrorPage.render(status: Int(status.code), reason: status.reasonPhrase, message: message, signedIn: context.identity != nil)
        })
    router.add(
        middleware: AuthenticationMiddleware(
            accounts: deps.accounts, cookies: deps.cookies,
            csrfExemptPaths: [SiteRoute.apiLogin.path, SiteRoute.dropboxWebhook.path, SiteRoute.googleDriveWebhook.path, SiteRoute.microsoftWebhook.path]))

    // The features' services, shared by their API and their pages.
    let flow = OAuthFlow(deps: deps)
    let sync = SyncService(
        store: deps.store, schedule: schedule, tokens: tokens, audit: deps.audit, defaultInterval: deps.config.syncIntervalSeconds)
    let imports = ImportService(store: deps.store, queue: queue, tokens: tokens, audit: deps.audit, sync: sync)
    let documents = DocumentService(store: deps.store, audit: deps.audit)
    let activity = ActivityLog(store: deps.store)
    let chatbot = ChatbotService(store: deps.store, audit: deps.audit, defaultCaution: deps.config.answerCaution)
    let chat = ChatService(deps: deps, chatbot: chatbot)
    let conversations = ConversationService(store: deps.store, chat: chat)
    let widget = WidgetService(store: deps.store, audit: deps.audit, ownOrigin: deps.config.apiBaseURL)
    let apiKeys = APIKeyService(store: deps.store, audit: deps.audit)
    let people = PeopleService(store: deps.store, accounts: deps.accounts, audit: deps.audit, flow: flow, publicURL: deps.config.apiBaseURL)
    let chrome = deps.chrome

    SystemAPI(deps: deps).addRoutes(to: router)
    StaticAssets.addRoutes(to: router)
    SessionController(deps: deps).addRoutes(to: router)

    // Pages under /admin: signed-out browsers are sent to the sign-in page and back.
    let pageGroup = router.group().add(middleware: RequireSignInMiddleware(redirectToLogin: true))
        .add(middleware: PasswordChangeGate(redirectToSettings: true))
        .add(middleware: RateLimitMiddleware(limiter: deps.rateLimiter))
    let pages = pageGroup.group(context: SignedInContext.self)
    let adminPages = pageGroup.group(context: AdminContext.self)
    DashboardController(integrations: deps.integrations, documents: documents, activity: activity, chrome: chrome).addRoutes(to: pages)
    IntegrationsController(flow: flow, integrations: deps.integrations, connectors: connectors, chrome: chrome)
        .addRoutes(pages: pages, adminPages: adminPages)
    DocumentsController(documents: documents, imports: imports, integrations: deps.integrations, chrome: chrome)
        .addRoutes(pages: pages, adminPages: adminPages)
    SourcesController(sync: sync, chrome: chrome, delivery: syncDelivery(deps)).addRoutes(pages: pages, adminPages: adminPages)
    ActivityController(activity: activity, chrome: chrome).addRoutes(to: pages)
    ChatPageController(conversations: conversations, documents: documents, chrome: chrome).addRoutes(to: pages)
    ChatbotController(chatbot: chatbot, documents: documents, languageModel: deps.knowledge.languageModel != nil, chrome: chrome)
        .addRoutes(pages: pages, adminPages: adminPages)
    WidgetController(widget: widget, publicURL: deps.config.apiBaseURL, chrome: chrome).addRoutes(pages: pages, adminPages: adminPages)
    InsightsController(insights: InsightsService(store: deps.store, embedder: deps.knowledge.embedder), chrome: chrome).addRoutes(to: adminPages)
    AccountController(deps: deps).addRoutes(to: pages)
    NotificationsController(notifications: deps.notifications, webhooks: deps.webhooks, chrome: chrome).addRoutes(pages: pages, adminPages: adminPages)
    APIKeysController(keys: apiKeys, publicURL: deps.config.apiBaseURL, chrome: chrome).addRoutes(to: adminPages)
    PeopleController(people: people, accounts: deps.accounts, cookies: deps.cookies, chrome: chrome, demo: deps.connectors.setup.standIn)
        .addRoutes(adminPages: adminPages, public: router)

    // The API under /api/v1: signed-out callers get 401 JSON.
    let api = router.group()
    let integrations = IntegrationsAPI(
        flow: flow, integrations: deps.integrations, connectors: connectors, tokens: tokens, cookies: deps.cookies,
        publicOrigin: deps.config.apiBaseURL)
    AuthAPI(deps: deps).addPublicRoutes(to: api)
    integrations.addCallbackRoute(to: api)
    DropboxWebhook(connectors: connectors, store: deps.store, schedule: schedule, metrics: deps.metrics).addRoutes(to: api)
    PushReceiver(store: deps.store, schedule: schedule, metrics: deps.metrics, followUp: TimeInterval(deps.config.syncPushFollowUpSeconds))
        .addRoutes(to: api)
    let signedInGroup = api.group().add(middleware: RequireSignInMiddleware(redirectToLogin: false))
        .add(middleware: PasswordChangeGate(redirectToSettings: false))
        .add(middleware: APIKeyScopeMiddleware())
        .add(middleware: RateLimitMiddleware(limiter: deps.rateLimiter))
    let signedIn = signedInGroup.group(context: SignedInContext.self)
    let admin = signedInGroup.group(context: AdminContext.self)
    AuthAPI(deps: deps).addRoutes(to: signedIn)
    let notificationsAPI = NotificationsAPI(notifications: deps.notifications, webhooks: deps.webhooks)
    notificationsAPI.addRoutes(to: signedIn)
    notificationsAPI.addRoutes(admin: admin)
    integrations.addRoutes(signedIn: signedIn, admin: admin)
    ActivityAPI(activity: activity).addRoutes(to: signedIn)
    FilePreview(
        connectors: connectors, tokens: tokens, reader: reader, maxBytes: min(deps.config.importSettings.maxFileBytes, 20_000_000),
        temporaryDirectory: deps.config.importSettings.temporaryDirectory
    ).addRoutes(to: signedIn)
    FilesAPI(store: deps.store, connectors: connectors, tokens: tokens, maxFileBytes: deps.config.importSettings.maxFileBytes).addRoutes(to: signedIn)
    ImportsAPI(imports: imports).addRoutes(signedIn: signedIn, admin: admin)
    DocumentsAPI(documents: documents).addRoutes(signedIn: signedIn, admin: admin)
    SourcesAPI(sync: sync).addRoutes(signedIn: signedIn, admin: admin)
    ChatAPI(chat: chat).addRoutes(to: signedIn)
    ChatbotAPI(chatbot: chatbot).addRoutes(to: admin)
    APIKeysAPI(keys: apiKeys).addRoutes(to: admin)
    PeopleAPI(people: people).addRoutes(to: admin)
    ConversationsAPI(conversations: conversations).addRoutes(to: signedIn)
    WidgetAPI(widget: widget, publicURL: deps.config.apiBaseURL).addRoutes(to: admin)
    WidgetPublicAPI(
        widget: widget, chatbot: chatbot, conversations: conversations, tokens: VisitorTokens(vault: deps.vault),
        limiter: WidgetRateLimiter(perVisitor: deps.config.widgetVisitorLimit, perSite: deps.config.widgetSiteLimit)
    ).addRoutes(to: router)
    return router
}

/// The sync services of this process (none with `CIRRUS_SYNC_WORKERS=0`): the workers, which
/// share the schedule with every other process, the long-poll watcher unless it is off, and
/// the push channels when providers can reach this server.
func makeSyncServices(_ deps: Dependencies, tokens: TokenManager, singleProcess: Bool) -> [any Service] {
    let config = deps.config
    guard config.syncWorkers > 0 else { return [] }
    let schedule = SyncSchedule(store: deps.store)
    var services: [any Service] = [
        SyncWorkers(
            runner: SyncRunner(deps: deps, tokens: tokens, settings: config.importSettings, reconcileInterval: TimeInterval(config.syncReconcileSeconds)),
            schedule: schedule, workers: config.syncWorkers, singleProcess: singleProcess, audit: deps.audit, notifications: deps.notifications,
            metrics: deps.metrics,
            logger: deps.logger)
    ]
    if config.syncLongpoll {
        services.append(LongpollWatcher(store: deps.store, connectors: deps.connectors, schedule: schedule, logger: deps.logger))
    }
    if case .success(let address) = pushAddress(deps) {
        services.append(
            PushChannels(store: deps.store, connectors: deps.connectors, tokens: tokens, address: address, metrics: deps.metrics, logger: deps.logger))
    }
    return services
}

/// How changes reach this server besides each source's polling, in words for the Sources page.
func syncDelivery(_ deps: Dependencies) -> String {
    let longpoll = deps.config.syncLongpoll ? " Dropbox changes arrive within seconds by long-polling, which needs no public address." : ""
    switch pushAddress(deps) {
    case .success where deps.connectors.graphSubscriptions:
        return "Google Drive and Microsoft 365 notify this server of changes (push), so a run starts within seconds." + longpoll
    case .success:
        return
            "Google Drive notifies this server of changes (push), so a run starts within seconds. Microsoft 365 sources are polled: Graph's change notifications need the Files.ReadWrite.All scope (CIRRUS_SYNC_PUSH_MICROSOFT=true)."
            + longpoll
    case .failure(let reason): return reason.explanation + longpoll
    }
}

/// Where providers can post push notifications to this server, or why they cannot (the
/// providers' stand-ins reach it over loopback).
func pushAddress(_ deps: Dependencies) -> Result<PushAddress, PushUnavailable> {
    guard deps.config.syncPush else { return .failure(.off) }
    return PushAddress.make(baseURL: deps.config.apiBaseURL, allowLoopback: deps.connectors.setup.standIn)
}

/// The pool of `cirrus extract` processes that read downloaded files.
func makeReader(_ config: AppConfig) throws -> IsolatedReader {
    guard let binary = ReaderBinary.locate(configured: config.extractBinary) else {
        throw ConfigError.invalid(
            key: AppConfig.Key.extractBinary, reason: "the `cirrus` binary that reads files in child processes was not found; set it to its path")
    }
    return IsolatedReader(
        command: .init(
            executable: binary,
            arguments: [
                "extract", "--memory-mb", String(config.extractMemoryMB), "--timeout-seconds", String(config.extractTimeoutSeconds), "--ocr-languages",
                config.ocrLanguages,
            ]),
        size: config.extractWorkers, timeout: .seconds(config.extractTimeoutSeconds))
}

/// Where the `cirrus` binary is, to start reader processes from.
enum ReaderBinary {
    /// The configured path; else this process's own executable when it is `cirrus`; else the
    /// `cirrus` beside it (the test runner and the benchmarks live next to it in `.build`).
    static func locate(configured: String?) -> URL? {
        if let configured { return FileManager.default.isExecutableFile(atPath: configured) ? URL(fileURLWithPath: configured) : nil }
        let own = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        if own.lastPathComponent == "cirrus" { return own }
        let sibling = own.deletingLastPathComponent().appendingPathComponent("cirrus")
        return FileManager.default.isExecutableFile(atPath: sibling.path) ? sibling : nil
    }
}

/// Stops the idle reader processes when the server shuts down (busy ones end with their file).
struct ReaderLifecycle: Service {
    let reader: IsolatedReader

    func run() async throws {
        try? await gracefulShutdown()
        reader.shutdown()
    }
}

/// Closes the store's connections when the server shuts down.
struct StoreLifecycle: Service {
    let store: Store

    func run() async throws {
        try? await gracefulShutdown()
        await store.shutdown()
    }
}

/// Shuts the shared HTTP client down when the server stops.
struct HTTPClientLifecycle: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// Housekeeping every ten minutes: drops expired sessions, API tokens and OAuth states.
struct MaintenanceService: Service {
    let accounts: Accounts
    let limiter: RateLimiter
    let logger: Logger

    func run() async throws {
        // Stop on graceful shutdown and on cancellation alike: the store closes in both cases.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await accounts.purgeExpired()
            } catch {
                logger.warning("Could not purge expired sessions", metadata: ["error.type": .string(String(reflecting: type(of: error)))])
            }
            do {
                try await limiter.purge()
            } catch {
                logger.warning("Could not purge old rate-limit counts", metadata: ["error.type": .string(String(reflecting: type(of: error)))])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(600)) }
            } catch {
                return
            }
        }
    }
}

/// `cirrus worker`: import workers without the web server, for scaling out on PostgreSQL.
/// They share the queue with every `serve` process through the store.
/// - Parameter providers: as for ``buildApplication(_:providers:services:logger:reader:)``.
public func runImportWorkers(_ config: AppConfig, providers: ProviderSetup? = nil, logger: Logger) async throws {
    guard config.databaseURL != nil else {
        throw ConfigError.invalid(
            key: AppConfig.Key.databaseURL, reason: "`cirrus worker` shares the queue through PostgreSQL; on SQLite `cirrus serve` runs the workers itself")
    }
    let store = try Store(config: config, logger: logger)
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    let deps: Dependencies
    let reader: IsolatedReader
    do {
        deps = try makeDependencies(
            config: config, store: store, logger: logger, http: http, providers: providers ?? .configured(config))
        reader = try makeReader(config)
    } catch {
        await store.shutdown()
        try await http.shutdown()
        throw error
    }
    let queue = ImportQueue(store: store)
    let tokens = TokenManager(deps: deps)
    let workers = ImportWorkers(
        processor: ImportProcessor(
            deps: deps, tokens: tokens, queue: queue, settings: config.importSettings, extractors: Extractors(), reader: reader),
        queue: queue, workers: max(1, config.importWorkers), singleProcess: false, logger: logger,
        grace: .seconds(config.shutdownGraceSeconds))
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
        .init(service: StoreLifecycle(store: store)), .init(service: HTTPClientLifecycle(client: http)),
        .init(service: ReaderLifecycle(reader: reader)),
        .init(service: Reembedder(knowledge: deps.knowledge, logger: logger)), .init(service: workers),
    ]
    services += makeSyncServices(deps, tokens: tokens, singleProcess: false).map { .init(service: $0) }
    // Graceful shutdown runs from the last service to the first: the workers hand their items
    // back before the store closes.
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    logger.info("import workers started", metadata: ["workers": "\(max(1, config.importWorkers))"])
    try await group.run()
}

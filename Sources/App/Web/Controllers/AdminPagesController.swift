import CirrusCore
import FluentKit
import Foundation
import Hummingbird

/// The signed-in admin pages. Each handler builds its page's model from the store, scoped to
/// the signed-in user's workspace, then renders it.
struct AdminPagesController {
    let deps: Dependencies
    let tokens: TokenManager
    let imports: ImportQueue

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { _, context in try await dashboard(context) }
        group.get("integrations") { request, context in try await integrations(request, context) }
        group.post("integrations/confluence/site") { request, context -> Response in
            struct Form: Decodable { let siteId: String }
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let form = try await request.decode(as: Form.self, context: context)
            _ = try await OAuthFlow(deps: deps).chooseSite(form.siteId, for: identity, clientAddress: context.clientAddress)
            return .redirect(to: "/admin/integrations", type: .normal)
        }
        group.post("integrations/:platform/disconnect") { _, context -> Response in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let platform = try IntegrationsAPI.platform(context)
            let revoked = try await OAuthFlow(deps: deps).disconnect(platform, for: identity, clientAddress: context.clientAddress)
            return .redirect(to: "/admin/integrations?platform=\(platform.rawValue)&outcome=disconnected\(revoked ? "&revoked=1" : "")", type: .normal)
        }
        group.get("documents") { request, context in try await documents(request, context) }
        group.post("documents/:id/reimport") { _, context -> Response in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            _ = try await ImportsAPI(deps: deps, tokens: tokens, queue: imports).reimport(
                try DocumentsAPI.documentID(context), identity: identity, clientAddress: context.clientAddress)
            return .redirect(to: "/admin/documents", type: .normal)
        }
        group.post("documents/:id/delete") { _, context -> Response in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw DocumentError.notFound }
            let title = try await DocumentsAPI(deps: deps).delete(id, identity: identity, clientAddress: context.clientAddress)
            // The title rides in the URL with a MAC under this session's CSRF secret, so a link
            // someone else made cannot put words on this page.
            let encoded = title.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let signature = Self.removedNoticeSignature(title, sessionSecret: identity.csrfToken ?? "")
            return .redirect(to: "/admin/documents?deleted=\(encoded)&sig=\(signature)", type: .normal)
        }
        group.get("activity") { _, context in try await activity(context) }
    }

    func dashboard(_ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let database = deps.store.database
        let connected = try await deps.integrations.summaries(for: identity).filter { $0.status != .notConnected }.count
        let documents = try await KnowledgeDocument.query(on: database).filter(\.$workspace.$id == identity.workspaceID).count()
        let chunks = try await KnowledgeChunk.query(on: database).filter(\.$workspace.$id == identity.workspaceID).count()
        let model = DashboardPage.Model(
            connectedCount: connected, documentCount: documents, chunkCount: chunks,
            recent: try await ActivityLog(store: deps.store).rows(for: identity, limit: 8))
        return HTMLResponse(html: DashboardPage.render(model, chrome: deps.chrome("Dashboard", .dashboard, identity)))
    }

    func integrations(_ request: Request, _ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let cards = try await deps.integrations.summaries(for: identity).map { summary in
            let platform = summary.platform
            return IntegrationsPage.Card(
                platform: platform, status: summary.status, accountEmail: summary.accountEmail,
                accountName: summary.accountName, connectedAt: summary.connectedAt, configured: deps.connectors.isConfigured(platform),
                setup: IntegrationsPage.setup(platform, redirectURI: deps.connectors.redirectURI(platform), scopes: ConnectorRegistry.scopes(platform)),
                siteID: summary.siteID, sites: summary.sites)
        }
        let model = IntegrationsPage.Model(cards: cards, banner: Self.banner(request.uri.queryParameters), csrfToken: identity.csrfToken)
        return HTMLResponse(html: IntegrationsPage.render(model, chrome: deps.chrome("Integrations", .integrations, identity)))
    }

    /// The result of a connect or disconnect, from known codes only (never text from the URL).
    static func banner(_ query: Parameters) -> IntegrationsPage.Banner? {
        guard let name = query["platform"], let platform = Platform(rawValue: String(name)), let outcome = query["outcome"] else { return nil }
        switch outcome {
        case "connected":
            return .init(success: true, message: "\(platform.displayName) connected.")
        case "disconnected":
            return .init(success: true, message: IntegrationsAPI.disconnectMessage(platform, revoked: query["revoked"] == "1"))
        default:
            let known: [IntegrationError] = [
                .invalidState, .expiredState, .stateBelongsToSomeoneElse, .providerDenied(platform), .notConfigured(platform), .noConfluenceSite,
            ]
            let code = query["code"].map(String.init) ?? ""
            let message = known.first { $0.code == code }?.safeMessage ?? "\(platform.displayName) could not be connected. Try again."
            return .init(success: false, message: message)
        }
    }

    /// The MAC that lets the Documents page show "“title” was removed" only to the session
    /// that removed it.
    static func removedNoticeSignature(_ title: String, sessionSecret: String) -> String {
        SecureToken.sign("deleted:" + title, key: sessionSecret)
    }

    func documents(_ request: Request, _ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let source = query["source"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let category = query["category"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let database = deps.store.database
        let page = query["page"].flatMap { Int($0) }.map { min(max($0, 1), 100_000) } ?? 1
        // One more than a page, to know whether an older page follows.
        var documents = try await DocumentsAPI.list(
            database, workspace: identity.workspaceID, source: source, category: category,
            limit: DocumentsPage.pageSize + 1, offset: (page - 1) * DocumentsPage.pageSize)
        let hasOlder = documents.count > DocumentsPage.pageSize
        documents = Array(documents.prefix(DocumentsPage.pageSize))
        let rows = documents.map { document in
            DocumentsPage.Row(
                id: document.id ?? UUID(), title: document.title, url: WebLink.safe(document.sourceURL), platform: Platform(rawValue: document.sourcePlatform),
                source: Platform(rawValue: document.sourcePlatform)?.displayName ?? document.sourcePlatform,
                category: document.category, chunkCount: document.chunkCount, sizeBytes: document.sizeBytes,
                importedAt: document.createdAt, status: document.status)
        }
        let connected = try await deps.integrations.summaries(for: identity).filter { $0.status == .connected }.map(\.platform)
        let runningJobs = try await ImportJob.query(on: database).filter(\.$workspace.$id == identity.workspaceID)
            .filter(\.$status == ImportJobStatus.running.rawValue).sort(\.$createdAt, .descending).limit(10).all()
        var running: [DocumentsPage.RunningImport] = []
        for job in runningJobs {
            let progress = try await imports.fileProgress(job: job.requireID())
            running.append(.init(
                id: try job.requireID(), source: Platform(rawValue: job.platform)?.displayName ?? job.platform, category: job.category,
                completed: progress.finished, total: progress.total))
        }
        let notice = query["deleted"].map(String.init).flatMap { title -> String? in
            guard let token = identity.csrfToken, let signature = query["sig"].map(String.init),
                SecureToken.constantTimeEquals(signature, Self.removedNoticeSignature(title, sessionSecret: token))
            else { return nil }
            return "“\(title)” was removed from the knowledge base."
        }
        let model = DocumentsPage.Model(
            rows: rows, connected: connected, categories: try await DocumentsAPI.categories(database, workspace: identity.workspaceID),
            sourceFilter: source, categoryFilter: category, running: running, canImport: identity.canAdminister,
            csrfToken: identity.csrfToken, notice: notice, page: page, hasOlder: hasOlder)
        return HTMLResponse(html: DocumentsPage.render(model, chrome: deps.chrome("Documents", .documents, identity)))
    }

    func activity(_ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let rows = try await ActivityLog(store: deps.store).rows(for: identity, limit: 200)
        return HTMLResponse(html: ActivityPage.render(.init(rows: rows), chrome: deps.chrome("Activity", .activity, identity)))
    }
}

/// The workspace's audit events, for the Activity page, the dashboard and the API.
///
/// Admins see everything. Members see what happened, but of other people's events neither the
/// email address (the actor is named by display name; failed sign-ins name nobody), nor
/// addresses in the detail, nor the client's IP address.
struct ActivityLog {
    let store: Store

    func rows(for identity: Identity, limit: Int) async throws -> [ActivityPage.Row] {
        try await AuditEvent.query(on: store.database)
            .filter(\.$workspace.$id == identity.workspaceID)
            .sort(\.$createdAt, .descending)
            .limit(limit)
            .with(\.$actor)
            .all()
            .map { event in
                let platform = event.platform.flatMap { Platform(rawValue: $0)?.displayName ?? $0 }
                let at = event.createdAt ?? Date()
                if identity.canAdminister || event.$actor.id == identity.userID {
                    return ActivityPage.Row(
                        at: at, actor: event.actor?.email ?? event.actorEmail ?? "system", action: event.action, platform: platform,
                        detail: event.detail, clientAddress: event.clientAddress)
                }
                let actor = event.actor?.displayName ?? (event.actorEmail == nil ? "system" : "someone")
                return ActivityPage.Row(
                    at: at, actor: actor, action: event.action, platform: platform, detail: event.detail.map(Self.withoutEmailAddresses),
                    clientAddress: nil)
            }
    }

    /// `connected as ada@example.com` → `connected as (address hidden)`.
    static func withoutEmailAddresses(_ text: String) -> String {
        text.replacing(/[^\s@"'<>()]+@[^\s@"'<>()]+\.[^\s@"'<>()]+/, with: "(address hidden)")
    }
}

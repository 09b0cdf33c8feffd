import CirrusCore
import FluentKit
import Foundation
import Hummingbird

/// The signed-in admin pages. Each handler builds its page's model from the store, scoped to
/// the signed-in user's workspace, then renders it.
struct AdminPagesController {
    let deps: Dependencies

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { _, context in try await dashboard(context) }
        group.get("integrations") { _, context in try await integrations(context) }
        group.get("documents") { _, context in try await documents(context) }
        group.get("chat") { _, context in try await chat(context) }
        group.get("activity") { _, context in try await activity(context) }
        group.get("settings") { _, context in try settings(context) }
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

    func integrations(_ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let cards = try await deps.integrations.summaries(for: identity).map { summary in
            IntegrationsPage.Card(
                platform: summary.platform, status: summary.status, accountEmail: summary.accountEmail,
                accountName: summary.accountName, connectedAt: summary.connectedAt,
                configured: deps.config.demo || deps.config.providers[summary.platform] != nil)
        }
        return HTMLResponse(html: IntegrationsPage.render(.init(cards: cards), chrome: deps.chrome("Integrations", .integrations, identity)))
    }

    func documents(_ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let rows = try await KnowledgeDocument.query(on: deps.store.database)
            .filter(\.$workspace.$id == identity.workspaceID)
            .sort(\.$createdAt, .descending)
            .all()
            .map { document in
                DocumentsPage.Row(
                    title: document.title,
                    source: Platform(rawValue: document.sourcePlatform)?.displayName ?? document.sourcePlatform,
                    category: document.category, chunkCount: document.chunkCount, sizeBytes: document.sizeBytes,
                    importedAt: document.createdAt, status: document.status)
            }
        return HTMLResponse(html: DocumentsPage.render(.init(rows: rows), chrome: deps.chrome("Documents", .documents, identity)))
    }

    func chat(_ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let count = try await KnowledgeDocument.query(on: deps.store.database).filter(\.$workspace.$id == identity.workspaceID).count()
        return HTMLResponse(html: ChatPage.render(.init(documentCount: count), chrome: deps.chrome("Chat", .chat, identity)))
    }

    func activity(_ context: AppRequestContext) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let rows = try await ActivityLog(store: deps.store).rows(for: identity, limit: 200)
        return HTMLResponse(html: ActivityPage.render(.init(rows: rows), chrome: deps.chrome("Activity", .activity, identity)))
    }

    func settings(_ context: AppRequestContext) throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let config = deps.config
        let model = SettingsPage.Model(
            email: identity.email, displayName: identity.displayName, role: identity.role.rawValue,
            database: deps.store.engine == .sqlite ? "SQLite (\(config.dataDirectory)/cirrus.sqlite)" : "PostgreSQL",
            demo: config.demo, publicURL: config.apiBaseURL, encryptionKeyCount: max(1, config.encryptionKeys.count),
            configuredProviders: Platform.allCases.filter { config.providers[$0] != nil }.map(\.displayName))
        return HTMLResponse(html: SettingsPage.render(model, chrome: deps.chrome("Settings", .settings, identity)))
    }
}

/// The workspace's audit events, for the Activity page, the dashboard and the API.
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
                ActivityPage.Row(
                    at: event.createdAt ?? Date(), actor: event.actor?.email ?? event.actorEmail ?? "system",
                    action: event.action, platform: event.platform.flatMap { Platform(rawValue: $0)?.displayName ?? $0 },
                    detail: event.detail, clientAddress: event.clientAddress)
            }
    }
}

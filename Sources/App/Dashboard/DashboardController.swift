import Hummingbird

/// `/admin`: what is connected, how much the knowledge base holds, and the latest activity.
struct DashboardController {
    let integrations: IntegrationDirectory
    let documents: DocumentService
    let activity: ActivityLog
    let chrome: PageChrome.Factory

    func addRoutes(to pages: RouterGroup<SignedInContext>) {
        pages.get(SiteRoute.dashboard.pattern) { _, context -> HTMLResponse in
            let identity = context.identity
            let connected = try await integrations.summaries(for: identity).filter { $0.status != .notConnected }.count
            let counts = try await documents.counts(in: identity.workspaceID)
            let model = DashboardPage.Model(
                connectedCount: connected, documentCount: counts.documents, chunkCount: counts.chunks,
                recent: try await activity.rows(for: identity, limit: 8))
            return HTMLResponse(html: DashboardPage.render(model, chrome: chrome("Dashboard", .dashboard, identity)))
        }
    }
}

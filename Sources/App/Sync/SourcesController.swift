import CirrusCore
import Foundation
import Hummingbird

/// `/admin/sources`: the synced sources as a page, with "Sync now", pause/resume and stop
/// (keeping or removing the documents).
struct SourcesController {
    let sync: SyncService
    let chrome: PageChrome.Factory
    /// How changes reach the server besides polling, for the page.
    let delivery: String

    struct DeleteForm: Decodable {
        let documents: String?
    }

    func addRoutes(pages: RouterGroup<SignedInContext>, adminPages: RouterGroup<AdminContext>) {
        pages.get(SiteRoute.sourcesPage.pattern) { _, context -> HTMLResponse in
            let identity = context.identity
            let rows = try await sync.list(for: identity).map { report in
                let dto = SourcesAPI.SourceDTO(report)
                return SourcesPage.Row(
                    id: dto.id, platform: dto.platform, category: dto.category, rootCount: dto.roots.count, documentCount: dto.documentCount,
                    enabled: dto.enabled, status: dto.status, intervalSeconds: dto.intervalSeconds, lastRunAt: dto.lastRunAt,
                    nextRunAt: dto.nextRunAt, lastChanges: dto.lastChanges, totalChanges: dto.totalChanges, lastError: dto.lastError)
            }
            let model = SourcesPage.Model(rows: rows, canManage: identity.canAdminister, csrfToken: identity.csrfToken, delivery: delivery)
            return HTMLResponse(html: SourcesPage.render(model, chrome: chrome("Synced sources", .sources, identity)))
        }
        adminPages.post(SiteRoute.syncSourceForm(nil).pattern) { _, context -> Response in
            try await sync.syncNow(try context.idParameter(orThrow: SyncError.notFound), for: context.identity)
            return .redirect(to: SiteRoute.sourcesPage.path, type: .normal)
        }
        adminPages.post(SiteRoute.toggleSourceForm(nil).pattern) { _, context -> Response in
            let id = try context.idParameter(orThrow: SyncError.notFound)
            let enabled = try await sync.report(id, for: context.identity).source.enabled
            try await sync.update(id, .init(enabled: !enabled), by: context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.sourcesPage.path, type: .normal)
        }
        adminPages.post(SiteRoute.deleteSourceForm(nil).pattern) { request, context -> Response in
            let id = try context.idParameter(orThrow: SyncError.notFound)
            let form = try await request.decode(as: DeleteForm.self, context: context)
            try await sync.delete(
                id, removingDocuments: try SourcesAPI.removesDocuments(form.documents), by: context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.sourcesPage.path, type: .normal)
        }
    }
}

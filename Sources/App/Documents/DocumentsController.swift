import CirrusCore
import Foundation
import Hummingbird

/// `/admin/documents`: the knowledge base as a page — filters, pages, running imports, and
/// re-import or removal of one document.
struct DocumentsController {
    let documents: DocumentService
    let imports: ImportService
    let integrations: IntegrationDirectory
    let chrome: PageChrome.Factory

    func addRoutes(pages: RouterGroup<SignedInContext>, adminPages: RouterGroup<AdminContext>) {
        pages.get(SiteRoute.documentsPage.pattern) { request, context in try await page(request, context) }
        adminPages.post(SiteRoute.reimportForm(nil).pattern) { _, context -> Response in
            _ = try await imports.reimport(
                try context.idParameter(orThrow: DocumentError.notFound), by: context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.documentsPage.path, type: .normal)
        }
        adminPages.post(SiteRoute.deleteDocumentForm(nil).pattern) { _, context -> Response in
            let identity = context.identity
            let title = try await documents.delete(
                try context.idParameter(orThrow: DocumentError.notFound), by: identity, clientAddress: context.clientAddress)
            // The title rides in the URL with a MAC under this session's CSRF secret, so a link
            // someone else made cannot put words on this page.
            let signature = Self.removedNoticeSignature(title, sessionSecret: identity.csrfToken ?? "")
            return .redirect(to: SiteRoute.documentsPage.with(["deleted": title, "sig": signature]), type: .normal)
        }
    }

    /// The MAC that lets the Documents page show "“title” was removed" only to the session
    /// that removed it.
    static func removedNoticeSignature(_ title: String, sessionSecret: String) -> String {
        SecureToken.sign("deleted:" + title, key: sessionSecret)
    }

    func page(_ request: Request, _ context: SignedInContext) async throws -> HTMLResponse {
        let identity = context.identity
        let query = request.uri.queryParameters
        let source = query["source"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let category = query["category"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let page = query["page"].flatMap { Int($0) }.map { min(max($0, 1), 100_000) } ?? 1
        // One more than a page, to know whether an older page follows.
        var list = try await documents.list(
            in: identity.workspaceID, filter: .init(source: source, category: category),
            limit: DocumentsPage.pageSize + 1, offset: (page - 1) * DocumentsPage.pageSize)
        let hasOlder = list.count > DocumentsPage.pageSize
        list = Array(list.prefix(DocumentsPage.pageSize))
        let rows = list.map { document in
            DocumentsPage.Row(
                id: document.id ?? UUID(), title: document.title, url: WebLink.safe(document.sourceURL), platform: document.sourcePlatform,
                source: document.sourcePlatform.displayName,
                category: document.category, chunkCount: document.chunkCount, sizeBytes: document.sizeBytes,
                importedAt: document.createdAt, status: document.status,
                ocrNote: DocumentsPage.Row.ocrNote(pages: document.ocrPages, confidence: document.ocrConfidence))
        }
        let connected = try await integrations.summaries(for: identity).filter { $0.status == .connected }.map(\.platform)
        let running = try await imports.running(for: identity).map { entry in
            DocumentsPage.RunningImport(
                id: entry.job.id ?? UUID(), source: entry.job.platform.displayName, category: entry.job.category,
                completed: entry.finished, total: entry.total)
        }
        let notice = query["deleted"].map(String.init).flatMap { title -> String? in
            guard let token = identity.csrfToken, let signature = query["sig"].map(String.init),
                SecureToken.constantTimeEquals(signature, Self.removedNoticeSignature(title, sessionSecret: token))
            else { return nil }
            return "“\(title)” was removed from the knowledge base."
        }
        let model = DocumentsPage.Model(
            rows: rows, connected: connected, categories: try await documents.categories(in: identity.workspaceID),
            sourceFilter: source, categoryFilter: category, running: running, canImport: identity.canAdminister,
            csrfToken: identity.csrfToken, notice: notice, page: page, hasOlder: hasOlder)
        return HTMLResponse(html: DocumentsPage.render(model, chrome: chrome("Documents", .documents, identity)))
    }
}

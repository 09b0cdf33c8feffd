import Foundation
import Hummingbird

/// The notifications page: the person's notices, newest first (those new since the last visit
/// marked, then all marked read), and which kinds they want.
struct NotificationsController {
    let notifications: NotificationService
    let webhooks: WebhookService
    let chrome: PageChrome.Factory

    struct WebhookForm: Decodable {
        let url: String
        let enabled: String?
    }

    func addRoutes(pages: RouterGroup<SignedInContext>, adminPages: RouterGroup<AdminContext>) {
        pages.get(SiteRoute.notificationsPage.pattern) { request, context -> HTMLResponse in
            let notice = request.uri.queryParameters["saved"] != nil ? "Your notification settings are saved." : nil
            return try await page(context.identity, notice: notice)
        }
        adminPages.post(SiteRoute.webhookForm.pattern) { request, context -> Response in
            let form = try await request.decode(as: WebhookForm.self, context: context)
            do {
                _ = try await webhooks.update(url: form.url, enabled: form.enabled == "true", by: context.identity, clientAddress: context.clientAddress)
            } catch let error as WebhookError {
                var response = try await page(context.identity, error: error.safeMessage).response(from: request, context: context)
                response.status = .badRequest
                return response
            }
            return .redirect(to: SiteRoute.notificationsPage.with(["saved": "1"]), type: .normal)
        }
        pages.post(SiteRoute.notificationPreferencesForm.pattern) { request, context -> Response in
            // Each kind is a box; a ticked box means "tell me", so the muted ones are those absent.
            let form = try await request.decode(as: [String: String].self, context: context)
            let wanted = Set(NotificationKind.allCases.filter { form[$0.rawValue] == "on" })
            try await notifications.setMuted(Set(NotificationKind.allCases).subtracting(wanted), for: context.identity)
            return .redirect(to: SiteRoute.notificationsPage.with(["saved": "1"]), type: .normal)
        }
    }

    private func page(_ identity: Identity, notice: String? = nil, error: String? = nil) async throws -> HTMLResponse {
        let (items, _) = try await notifications.list(for: identity, limit: 100)
        // Seen now: the bell's count clears; this page still marks what was new.
        try await notifications.markRead(nil, for: identity)
        var webhook: NotificationsPage.Webhook?
        if identity.canAdminister {
            webhook = .init(
                settings: try await webhooks.settings(for: identity.workspaceID),
                deliveries: try await webhooks.deliveries(for: identity.workspaceID, limit: 20))
        }
        let model = NotificationsPage.Model(
            items: items, muted: try await notifications.muted(for: identity), webhook: webhook, csrfToken: identity.csrfToken, notice: notice,
            error: error)
        return HTMLResponse(html: NotificationsPage.render(model, chrome: chrome("Notifications", nil, identity)))
    }
}

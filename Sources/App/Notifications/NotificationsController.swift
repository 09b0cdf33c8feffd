import Foundation
import Hummingbird

/// The notifications page: the person's notices, newest first (those new since the last visit
/// marked, then all marked read), and which kinds they want.
struct NotificationsController {
    let notifications: NotificationService
    let chrome: PageChrome.Factory

    func addRoutes(to pages: RouterGroup<SignedInContext>) {
        pages.get(SiteRoute.notificationsPage.pattern) { request, context -> HTMLResponse in
            let identity = context.identity
            let (items, _) = try await notifications.list(for: identity, limit: 100)
            // Seen now: the bell's count clears; this page still marks what was new.
            try await notifications.markRead(nil, for: identity)
            let model = NotificationsPage.Model(
                items: items, muted: try await notifications.muted(for: identity), csrfToken: identity.csrfToken,
                saved: request.uri.queryParameters["saved"] != nil)
            return HTMLResponse(html: NotificationsPage.render(model, chrome: chrome("Notifications", nil, identity)))
        }
        pages.post(SiteRoute.notificationPreferencesForm.pattern) { request, context -> Response in
            // Each kind is a box; a ticked box means "tell me", so the muted ones are those absent.
            let form = try await request.decode(as: [String: String].self, context: context)
            let wanted = Set(NotificationKind.allCases.filter { form[$0.rawValue] == "on" })
            try await notifications.setMuted(Set(NotificationKind.allCases).subtracting(wanted), for: context.identity)
            return .redirect(to: SiteRoute.notificationsPage.with(["saved": "1"]), type: .normal)
        }
    }
}

import Foundation
import Hummingbird

/// `/api/v1/notifications`: the caller's own notifications, marking them read, muting kinds.
struct NotificationsAPI {
    let notifications: NotificationService
    let webhooks: WebhookService

    struct ListResponse: ResponseEncodable {
        let notifications: [NotificationService.Item]
        let unread: Int
    }

    struct ReadRequest: Decodable {
        /// Which to mark read; absent: all.
        let ids: [UUID]?
    }

    struct Preferences: ResponseEncodable, Decodable {
        let muted: [NotificationKind]
    }

    struct WebhookChange: Decodable {
        /// Blank removes the webhook.
        let url: String
        let enabled: Bool?
    }

    struct DeliveryLog: ResponseEncodable {
        let deliveries: [WebhookService.DeliveryRow]
    }

    /// The workspace's webhook: admins only, signed in as themselves (the secret is in it).
    func addRoutes(admin: RouterGroup<AdminContext>) {
        admin.get(SiteRoute.webhook.pattern) { _, context -> WebhookService.Settings in
            try await webhooks.settings(for: context.identity.workspaceID)
        }
        admin.put(SiteRoute.webhook.pattern) { request, context -> WebhookService.Settings in
            let body = try await request.decode(as: WebhookChange.self, context: context)
            return try await webhooks.update(url: body.url, enabled: body.enabled ?? true, by: context.identity, clientAddress: context.clientAddress)
        }
        admin.get(SiteRoute.webhookDeliveries.pattern) { _, context -> DeliveryLog in
            DeliveryLog(deliveries: try await webhooks.deliveries(for: context.identity.workspaceID))
        }
    }

    func addRoutes(to signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(SiteRoute.notifications.pattern) { request, context -> ListResponse in
            let query = request.uri.queryParameters
            let limit = query["limit"].flatMap { Int(String($0)) } ?? 50
            let (items, unread) = try await notifications.list(for: context.identity, unreadOnly: query["unread"] == "true", limit: limit)
            return ListResponse(notifications: items, unread: unread)
        }
        signedIn.post(SiteRoute.notificationsRead.pattern) { request, context -> HTTPResponse.Status in
            let body = try await request.decode(as: ReadRequest.self, context: context)
            try await notifications.markRead(body.ids, for: context.identity)
            return .noContent
        }
        signedIn.get(SiteRoute.notificationPreferences.pattern) { _, context -> Preferences in
            Preferences(muted: try await notifications.muted(for: context.identity).sorted { $0.rawValue < $1.rawValue })
        }
        signedIn.put(SiteRoute.notificationPreferences.pattern) { request, context -> Preferences in
            let body = try await request.decode(as: Preferences.self, context: context)
            try await notifications.setMuted(Set(body.muted), for: context.identity)
            return Preferences(muted: try await notifications.muted(for: context.identity).sorted { $0.rawValue < $1.rawValue })
        }
    }
}

extension WebhookService.Settings: ResponseEncodable {}

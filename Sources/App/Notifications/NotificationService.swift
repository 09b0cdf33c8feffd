import FluentKit
import Foundation
import Logging

/// Tells people when something needs them: an import with failed files, a connection to
/// reconnect, a synced source in error, a token refresh that keeps failing. Each notice goes to
/// the person whose import, connection or source it is, unless they muted its kind; while one
/// about the same thing is unread, the same thing does not notify again.
struct NotificationService: Sendable {
    let store: Store
    let logger: Logger
    /// The server's public URL, for links in webhook posts.
    var publicURL = ""

    /// A notification as the list and the API show it.
    struct Item: Sendable, Encodable, Equatable {
        let id: UUID
        let kind: NotificationKind
        let title: String
        let body: String
        let link: String?
        let createdAt: Date?
        let read: Bool
    }

    /// Records a notification; a failure to is logged, never the failure of what went on.
    func notify(
        _ kind: NotificationKind, userID: UUID, workspaceID: UUID, subject: String, title: String, body: String, link: SiteRoute?
    ) async {
        let database = store.database
        do {
            if try await NotificationMute.query(on: database).filter(\.$user.$id == userID).filter(\.$kind == kind).first() != nil { return }
            let unread = try await InAppNotification.query(on: database).filter(\.$user.$id == userID).filter(\.$subject == subject)
                .filter(\.$readAt == nil).first()
            if unread != nil { return }
            let notification = InAppNotification()
            notification.$workspace.id = workspaceID
            notification.$user.id = userID
            notification.kind = kind
            notification.title = String(title.prefix(200))
            notification.body = String(body.prefix(1000))
            notification.link = link?.path
            notification.subject = subject
            try await notification.create(on: database)
            try await queueWebhook(notification)
        } catch {
            logger.warning("could not record a notification", metadata: ["kind": "\(kind.rawValue)", "error": "\(type(of: error))"])
        }
    }

    /// Queues a post of `notification` to the workspace's webhook when it has one switched on.
    private func queueWebhook(_ notification: InAppNotification) async throws {
        let database = store.database
        guard
            let endpoint = try await WebhookEndpoint.query(on: database).filter(\.$workspace.$id == notification.$workspace.id).first(),
            endpoint.enabled
        else { return }
        let recipient = try await User.find(notification.$user.id, on: database)?.email ?? ""
        let url = notification.link.map { publicURL + $0 }
        let payload = WebhookPayload(
            id: try notification.requireID(), type: notification.kind,
            text: "Cirrus: \(notification.title). \(notification.body)" + (url.map { " \($0)" } ?? ""), title: notification.title,
            body: notification.body, url: url, workspaceId: notification.$workspace.id, recipient: recipient,
            createdAt: notification.createdAt ?? Date())
        let delivery = WebhookDelivery()
        delivery.$workspace.id = notification.$workspace.id
        delivery.kind = notification.kind
        delivery.payload = JSONCoding.text(payload)
        delivery.state = .pending
        delivery.attempts = 0
        delivery.nextAttemptAt = Date()
        try await delivery.create(on: database)
    }

    /// The person's notifications, newest first, with how many are unread.
    func list(for identity: Identity, unreadOnly: Bool = false, limit: Int = 50) async throws -> (items: [Item], unread: Int) {
        var query = InAppNotification.query(on: store.database).filter(\.$user.$id == identity.userID)
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        let limit = max(0, min(limit, 200))
        // The header's bell asks for the count alone, on every page.
        let rows = limit == 0 ? [] : try await query.sort(\.$createdAt, .descending).limit(limit).all()
        let unread = try await InAppNotification.query(on: store.database).filter(\.$user.$id == identity.userID).filter(\.$readAt == nil).count()
        return (rows.map(Self.item), unread)
    }

    /// Marks the person's notifications read: the ones named, or all.
    func markRead(_ ids: [UUID]?, for identity: Identity, now: Date = Date()) async throws {
        var query = InAppNotification.query(on: store.database).filter(\.$user.$id == identity.userID).filter(\.$readAt == nil)
        if let ids { query = query.filter(\.$id ~~ ids) }
        try await query.set(\.$readAt, to: now).update()
    }

    func muted(for identity: Identity) async throws -> Set<NotificationKind> {
        Set(try await NotificationMute.query(on: store.database).filter(\.$user.$id == identity.userID).all(\.$kind))
    }

    /// Replaces the kinds the person muted.
    func setMuted(_ kinds: Set<NotificationKind>, for identity: Identity) async throws {
        let database = store.database
        try await database.transaction { transaction in
            try await NotificationMute.query(on: transaction).filter(\.$user.$id == identity.userID).delete()
            for kind in kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
                try await NotificationMute(userID: identity.userID, kind: kind).create(on: transaction)
            }
        }
    }

    private static func item(_ row: InAppNotification) -> Item {
        Item(id: row.id!, kind: row.kind, title: row.title, body: row.body, link: row.link, createdAt: row.createdAt, read: row.readAt != nil)
    }
}

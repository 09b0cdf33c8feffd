import CirrusCore
import FluentKit
import Foundation

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

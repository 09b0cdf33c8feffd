import CirrusCore
import Foundation
import Hummingbird
import SQLKit

/// The addresses providers post push notifications to; each notification only asks for a run
/// of its source, which reads its feed as every run does, and is answered at once (no provider
/// call happens here).
///
/// `/api/v1/webhooks/google-drive` (`providers/sync.md` §A.1): a message is accepted only when
/// its `X-Goog-Channel-ID` names a channel of ours and its `X-Goog-Channel-Token` is that
/// channel's secret (compared as digests, in constant time). The first message of a channel
/// (`sync`) says nothing and is only acknowledged. Drive retries only 5xx.
struct PushReceiver {
    let store: Store
    let schedule: SyncSchedule
    let metrics: MetricsRegistry
    /// Seconds after a change message at which the source runs once more: the change feed can
    /// lag the message (`providers/sync.md`, "webhook before data"). 0: no second run.
    let followUp: TimeInterval

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.googleDriveWebhook.pattern) { request, _ -> Response in
            // A channel's first message says only that it exists, and may arrive before Drive's
            // answer to `changes.watch` (before the channel is stored): it is acknowledged, and
            // does nothing.
            if request.headers[.init("X-Goog-Resource-State")!]?.lowercased() == "sync" {
                metrics.recordPush(platform: .googleDrive, outcome: "sync")
                return Response(status: .ok)
            }
            guard let channelID = request.headers[.init("X-Goog-Channel-ID")!], channelID.count <= 64,
                let token = request.headers[.init("X-Goog-Channel-Token")!], token.count <= 256,
                let channel = try await lookUp(channelID, platform: .googleDrive),
                SecureToken.constantTimeEquals(SecureToken.hash(token), channel.digest)
            else {
                metrics.recordPush(platform: .googleDrive, outcome: "refused")
                return Response(status: .forbidden)
            }
            metrics.recordPush(platform: .googleDrive, outcome: "verified")
            try await schedule.request(channel.sourceID, followUpAfter: followUp)
            return Response(status: .ok)
        }
        addGraphRoute(to: group)
    }

    /// Graph's notifications: a batch of `value[]`, each naming its subscription and echoing its
    /// `clientState`. Lifecycle events come to the same address.
    struct GraphNotifications: Decodable {
        struct Notification: Decodable {
            let subscriptionId: String
            let clientState: String?
            let lifecycleEvent: String?
        }
        let value: [Notification]
    }

    /// `/api/v1/webhooks/microsoft` (`providers/sync.md` §A.2). Graph's validation request (a
    /// `validationToken` in the query, before the subscription exists) is answered with the
    /// token as plain text; a batch of notifications is taken when each names a subscription of
    /// ours with its `clientState`, and answered 202 at once. A change asks for a run; a
    /// `reauthorizationRequired` event makes the subscription due for renewal now; a
    /// `subscriptionRemoved` one forgets it (a new one is made) and asks for a run, as `missed` does.
    private func addGraphRoute(to group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.microsoftWebhook.pattern) { request, _ -> Response in
            if let token = request.uri.queryParameters["validationToken"] {
                guard token.count <= 1024 else { return Response(status: .badRequest) }
                metrics.recordPush(platform: .microsoft, outcome: "validation")
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .init("X-Content-Type-Options")!: "nosniff"],
                    body: .init(byteBuffer: ByteBuffer(string: String(token))))
            }
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            guard let batch = try? JSONDecoder().decode(GraphNotifications.self, from: Data(buffer: body)), !batch.value.isEmpty else {
                metrics.recordPush(platform: .microsoft, outcome: "refused")
                return Response(status: .badRequest)
            }
            var verified = 0
            for notification in batch.value.prefix(1000) {
                guard notification.subscriptionId.count <= 128, let clientState = notification.clientState, clientState.count <= 256,
                    let channel = try await lookUp(notification.subscriptionId, platform: .microsoft),
                    SecureToken.constantTimeEquals(SecureToken.hash(clientState), channel.digest)
                else {
                    metrics.recordPush(platform: .microsoft, outcome: "refused")
                    continue
                }
                verified += 1
                metrics.recordPush(platform: .microsoft, outcome: notification.lifecycleEvent.map { "lifecycle_" + Self.eventLabel($0) } ?? "verified")
                switch notification.lifecycleEvent {
                case "reauthorizationRequired":
                    try await store.sql.raw(
                        "UPDATE push_channels SET expires_at = \(bind: Date()) WHERE channel_id = \(bind: notification.subscriptionId)"
                    ).run()
                case "subscriptionRemoved":
                    try await store.sql.raw("DELETE FROM push_channels WHERE channel_id = \(bind: notification.subscriptionId)").run()
                    try await schedule.request(channel.sourceID)
                default:
                    try await schedule.request(channel.sourceID, followUpAfter: followUp)
                }
            }
            // Graph retries what is not taken; a batch with nothing of ours is refused.
            return Response(status: verified > 0 ? .accepted : .forbidden)
        }
    }

    /// A metric label for a lifecycle event, from a closed set.
    private static func eventLabel(_ event: String) -> String {
        switch event {
        case "reauthorizationRequired": "reauthorization_required"
        case "subscriptionRemoved": "subscription_removed"
        case "missed": "missed"
        default: "other"
        }
    }

    private func lookUp(_ id: String, platform: Platform) async throws -> (sourceID: UUID, digest: String)? {
        let rows = try await store.sql.raw(
            "SELECT source_id, token_digest FROM push_channels WHERE channel_id = \(bind: id) AND platform = \(bind: platform.rawValue)"
        ).all()
        guard let row = rows.first, let digest = try row.decode(column: "token_digest", as: String?.self) else { return nil }
        return (try row.decode(column: "source_id", as: UUID.self), digest)
    }
}

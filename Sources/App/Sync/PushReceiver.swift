import CirrusCore
import Foundation
import Hummingbird
import SQLKit

/// `/api/v1/webhooks/google-drive`: the address Drive's change channels post to
/// (`providers/sync.md` §A.1). A message is accepted only when its `X-Goog-Channel-ID` names a
/// channel of ours and its `X-Goog-Channel-Token` is that channel's secret (compared as digests,
/// in constant time); it asks for a run of the channel's source, which reads its feed as every
/// run does. The first message of a channel (`sync`) says nothing and is only acknowledged. The
/// answer is immediate (Drive retries only 5xx); no provider call happens here.
struct PushReceiver {
    let store: Store
    let schedule: SyncSchedule
    let metrics: MetricsRegistry

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
                let channel = try await lookUp(channelID),
                SecureToken.constantTimeEquals(SecureToken.hash(token), channel.digest)
            else {
                metrics.recordPush(platform: .googleDrive, outcome: "refused")
                return Response(status: .forbidden)
            }
            metrics.recordPush(platform: .googleDrive, outcome: "verified")
            try await schedule.request(channel.sourceID)
            return Response(status: .ok)
        }
    }

    private func lookUp(_ id: String) async throws -> (sourceID: UUID, digest: String)? {
        let rows = try await store.sql.raw(
            "SELECT source_id, token_digest FROM push_channels WHERE channel_id = \(bind: id) AND platform = \(bind: Platform.googleDrive.rawValue)"
        ).all()
        guard let row = rows.first, let digest = try row.decode(column: "token_digest", as: String?.self) else { return nil }
        return (try row.decode(column: "source_id", as: UUID.self), digest)
    }
}

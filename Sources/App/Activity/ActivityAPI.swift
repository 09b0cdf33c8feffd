import Foundation
import Hummingbird

/// `GET /api/v1/activity`: the workspace's audit log.
struct ActivityAPI {
    let activity: ActivityLog

    struct EventDTO: Encodable {
        let at: Date
        let actor: String
        let action: String
        let platform: String?
        let detail: String?
    }

    struct ListResponse: ResponseEncodable {
        let events: [EventDTO]
    }

    func addRoutes(to signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(SiteRoute.activity.pattern) { request, context -> ListResponse in
            let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
            let rows = try await activity.rows(for: context.identity, limit: limit)
            return ListResponse(
                events: rows.map {
                    EventDTO(at: $0.at, actor: $0.actor, action: $0.action, platform: $0.platform, detail: $0.detail)
                })
        }
    }
}

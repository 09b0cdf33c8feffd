import CirrusCore
import Foundation
import Hummingbird

/// `GET /api/v1/integrations/` in the seed's shape.
struct IntegrationsAPI {
    let deps: Dependencies

    struct IntegrationDTO: Encodable {
        let platform: String
        let displayName: String
        let connected: Bool
        let status: String
        let configured: Bool
        let accountEmail: String?
        let accountName: String?
        let connectedAt: Date?
    }

    struct ListResponse: ResponseEncodable {
        let integrations: [IntegrationDTO]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("integrations", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse {
        let identity = try context.requireIdentity()
        let summaries = try await deps.integrations.summaries(for: identity)
        return ListResponse(integrations: summaries.map { summary in
            IntegrationDTO(
                platform: summary.platform.rawValue, displayName: summary.platform.displayName,
                connected: summary.status == .connected, status: summary.status.rawValue,
                configured: deps.config.demo || deps.config.providers[summary.platform] != nil,
                accountEmail: summary.accountEmail, accountName: summary.accountName, connectedAt: summary.connectedAt)
        })
    }
}

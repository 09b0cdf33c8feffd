import Foundation
import Hummingbird

/// `/api/v1/api-keys` (admins, signed in as a person): list the workspace's keys, make one
/// (the key is in this response only), revoke one.
struct APIKeysAPI {
    let keys: APIKeyService

    struct CreateRequest: Decodable {
        let name: String
        let scope: APIKeyScope
        /// Days until the key stops working; absent: never.
        let expiresInDays: Int?
    }

    struct CreatedResponse: ResponseEncodable {
        /// The key itself: shown this once, stored only as a hash.
        let key: String
        let apiKey: APIKeyService.Summary
    }

    struct ListResponse: ResponseEncodable {
        let apiKeys: [APIKeyService.Summary]
    }

    func addRoutes(to admin: RouterGroup<AdminContext>) {
        admin.get(SiteRoute.apiKeys.pattern) { _, context -> ListResponse in
            ListResponse(apiKeys: try await keys.list(workspaceID: context.identity.workspaceID))
        }
        admin.post(SiteRoute.apiKeys.pattern) { request, context -> Response in
            let body = try await request.decode(as: CreateRequest.self, context: context)
            let issued = try await keys.create(
                name: body.name, scope: body.scope, expiresInDays: body.expiresInDays, by: context.identity, clientAddress: context.clientAddress)
            var response = try CreatedResponse(key: issued.key, apiKey: issued.summary).response(from: request, context: context)
            response.status = .created
            return response
        }
        admin.delete(SiteRoute.apiKey(nil).pattern) { _, context -> HTTPResponse.Status in
            try await keys.revoke(try context.idParameter(orThrow: APIKeyError.notFound), by: context.identity, clientAddress: context.clientAddress)
            return .noContent
        }
    }
}

import Foundation
import Hummingbird

/// The API keys page (admins): the workspace's keys, a form that makes one and shows it once,
/// and a revoke button per key.
struct APIKeysController {
    let keys: APIKeyService
    let publicURL: String
    let chrome: PageChrome.Factory

    /// The form as a browser posts it; expiry is a number of days or `never`.
    struct Form: Decodable {
        let name: String
        let scope: APIKeyScope
        let expiresInDays: String
    }

    func addRoutes(to adminPages: RouterGroup<AdminContext>) {
        adminPages.get(SiteRoute.apiKeysPage.pattern) { request, context -> HTMLResponse in
            try await page(context.identity, notice: request.uri.queryParameters["revoked"] != nil ? "The API key was revoked." : nil)
        }
        adminPages.post(SiteRoute.apiKeysPage.pattern) { request, context -> Response in
            do {
                let form = try await request.decode(as: Form.self, context: context)
                let days = form.expiresInDays == "never" ? nil : Int(form.expiresInDays)
                if days == nil, form.expiresInDays != "never" { throw APIKeyError.invalidExpiry }
                let issued = try await keys.create(
                    name: form.name, scope: form.scope, expiresInDays: days, by: context.identity, clientAddress: context.clientAddress)
                // Shown in this answer, never through a redirect: the key must not reach a URL or a cache.
                var response = try await page(context.identity, issued: issued).response(from: request, context: context)
                response.status = .created
                return response
            } catch let error as APIKeyError {
                var response = try await page(context.identity, error: error.safeMessage).response(from: request, context: context)
                response.status = .badRequest
                return response
            }
        }
        adminPages.post(SiteRoute.revokeAPIKeyForm(nil).pattern) { _, context -> Response in
            try await keys.revoke(try context.idParameter(orThrow: APIKeyError.notFound), by: context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.apiKeysPage.with(["revoked": "1"]), type: .normal)
        }
    }

    private func page(
        _ identity: Identity, issued: APIKeyService.Issued? = nil, notice: String? = nil, error: String? = nil
    ) async throws
        -> HTMLResponse
    {
        let model = APIKeysPage.Model(
            keys: try await keys.list(workspaceID: identity.workspaceID), issued: issued, publicURL: publicURL, csrfToken: identity.csrfToken,
            notice: notice, error: error)
        return HTMLResponse(html: APIKeysPage.render(model, chrome: chrome("API keys", .apiKeys, identity)))
    }
}

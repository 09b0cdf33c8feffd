import CirrusCore
import Connectors
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/integrations…`: list, connect, callback, disconnect and account check, in the seed's shapes.
struct IntegrationsAPI {
    let flow: OAuthFlow
    let integrations: IntegrationDirectory
    let connectors: ConnectorRegistry
    let tokens: TokenManager
    let cookies: CookieNames
    /// Where the OAuth result page posts its message to (this server's origin).
    let publicOrigin: String

    struct IntegrationDTO: Encodable {
        let platform: String
        let displayName: String
        let connected: Bool
        let status: String
        let configured: Bool
        let accountEmail: String?
        let accountName: String?
        let connectedAt: Date?
        /// The scopes the provider granted this connection; empty when not connected.
        let scopes: [String]
    }

    struct ListResponse: ResponseEncodable {
        let integrations: [IntegrationDTO]
    }

    struct CallbackResponse: ResponseEncodable {
        struct Connected: Encodable {
            let platform: String
            let accountEmail: String?
            let accountName: String?
            let connectedAt: Date?
        }
        let success: Bool
        let message: String
        let integration: Connected
    }

    struct DisconnectResponse: ResponseEncodable {
        let success: Bool
        let message: String
        let revokedAtProvider: Bool
    }

    struct AccountResponse: ResponseEncodable {
        let platform: String
        let accountId: String
        let accountEmail: String?
        let accountName: String?
    }

    struct ResourceRequest: Decodable {
        let resourceId: String
    }

    struct ResourceResponse: ResponseEncodable {
        let resourceId: String
        let name: String
        let url: String
    }

    /// The Confluence-only first spelling of the resource choice.
    struct SiteRequest: Decodable {
        let siteId: String
    }

    struct SiteResponse: ResponseEncodable {
        let siteId: String
        let name: String
        let url: String
    }

    /// Routes for signed-in callers; those that change connections need an admin.
    func addRoutes(signedIn: RouterGroup<SignedInContext>, admin: RouterGroup<AdminContext>) {
        signedIn.get(SiteRoute.integrations.pattern, use: list)
        admin.get(SiteRoute.connect(nil).pattern, use: startConnecting)
        admin.post(SiteRoute.connect(nil).pattern, use: startConnecting)
        admin.delete(SiteRoute.integration(nil).pattern) { _, context -> DisconnectResponse in
            let platform = try context.platformParameter()
            let revoked = try await flow.disconnect(platform, for: context.identity, clientAddress: context.clientAddress)
            return DisconnectResponse(success: true, message: platform.disconnectedMessage(revoked: revoked), revokedAtProvider: revoked)
        }
        admin.put(SiteRoute.resource(nil).pattern) { request, context -> ResourceResponse in
            let body = try await request.decode(as: ResourceRequest.self, context: context)
            let chosen = try await flow.chooseResource(
                body.resourceId, of: try context.platformParameter(), for: context.identity, clientAddress: context.clientAddress)
            return ResourceResponse(resourceId: chosen.id, name: chosen.name, url: chosen.url)
        }
        admin.put(SiteRoute.confluenceSite.pattern) { request, context -> SiteResponse in
            let body = try await request.decode(as: SiteRequest.self, context: context)
            let site = try await flow.chooseResource(body.siteId, of: .confluence, for: context.identity, clientAddress: context.clientAddress)
            return SiteResponse(siteId: site.id, name: site.name, url: site.url)
        }
        signedIn.get(SiteRoute.account(nil).pattern) { _, context -> AccountResponse in
            let identity = context.identity
            let platform = try context.platformParameter()
            let access = ProviderAccess(
                platform, userID: identity.userID, workspaceID: identity.workspaceID, connector: try connectors.connector(platform), tokens: tokens)
            let account = try await access(needsResource: false) { connector, session in try await connector.account(accessToken: session.accessToken) }
            return AccountResponse(platform: platform.rawValue, accountId: account.id, accountEmail: account.email, accountName: account.name)
        }
    }

    /// Starts a flow and redirects to the provider. API clients use `GET` with their token (the
    /// seed's shape); browsers post the Integrations page's form with its CSRF token, so no other
    /// site can start flows in a signed-in browser. A cookie-authenticated `GET` is accepted only
    /// when the browser itself says it came from this origin (`Sec-Fetch-Site: same-origin`).
    @Sendable func startConnecting(_ request: Request, context: AdminContext) async throws -> Response {
        let identity = context.identity
        let platform = try context.platformParameter()
        var nonce: String?
        if case .session = identity.method {
            if request.method == .get, request.headers[HTTPField.Name("Sec-Fetch-Site")!] != "same-origin" {
                throw IntegrationError.connectNeedsPost
            }
            // One nonce per browser, shared by flows started in parallel (one per tab or platform).
            nonce = request.cookies[cookies.oauthBinding].flatMap { SecureToken.wellFormed($0.value) } ?? SecureToken.make()
        }
        let url = try await flow.start(platform, for: identity, browserNonce: nonce)
        var response = Response.redirect(to: url, type: request.method == .post ? .normal : .found)
        if let nonce {
            response.setCookie(cookies.cookie(cookies.oauthBinding, value: nonce, maxAge: Int(OAuthFlow.stateLifetime), sameSite: .lax))
        }
        return response
    }

    /// The OAuth callback: the provider's redirect brings the browser here (with its session
    /// cookie, which `SameSite=Lax` allows on top-level GETs); API clients get JSON.
    func addCallbackRoute(to group: RouterGroup<AppRequestContext>) {
        group.get(SiteRoute.callback(nil).pattern) { request, context -> Response in
            let platform = try context.platformParameter()
            let query = request.uri.queryParameters
            let wantsJSON = request.headers[.accept]?.contains("application/json") == true
            do {
                let outcome = try await flow.finish(
                    platform, code: query["code"].map(String.init), state: query["state"].map(String.init),
                    providerError: query["error"].map(String.init), caller: context.identity,
                    browserNonce: request.cookies[cookies.oauthBinding]?.value, clientAddress: context.clientAddress)
                if wantsJSON {
                    let summary = outcome.summary
                    return try CallbackResponse(
                        success: true, message: "\(platform.displayName) connected successfully",
                        integration: .init(
                            platform: platform.rawValue, accountEmail: summary.accountEmail, accountName: summary.accountName, connectedAt: summary.connectedAt)
                    ).response(from: request, context: context)
                }
                return try HTMLResponse(
                    html: OAuthResultPage.render(
                        .init(platform: platform, outcome: "connected", code: nil, message: "\(platform.displayName) connected.", origin: publicOrigin))
                )
                .response(from: request, context: context)
            } catch let error as IntegrationError where !wantsJSON {
                return try HTMLResponse(
                    status: ErrorMiddleware.status(for: error.kind),
                    html: OAuthResultPage.render(
                        .init(platform: platform, outcome: "error", code: error.code, message: error.safeMessage, origin: publicOrigin))
                ).response(from: request, context: context)
            }
        }
    }

    @Sendable func list(_ request: Request, context: SignedInContext) async throws -> ListResponse {
        let summaries = try await integrations.summaries(for: context.identity)
        return ListResponse(
            integrations: summaries.map { summary in
                IntegrationDTO(
                    platform: summary.platform.rawValue, displayName: summary.platform.displayName,
                    connected: summary.status == .connected, status: summary.status.rawValue,
                    configured: connectors.isConfigured(summary.platform),
                    accountEmail: summary.accountEmail, accountName: summary.accountName, connectedAt: summary.connectedAt,
                    scopes: summary.grantedScopes)
            })
    }
}

import CirrusCore
import Connectors
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/v1/integrations…`: list, connect, callback, disconnect and account check, in the seed's shapes.
struct IntegrationsAPI {
    let deps: Dependencies
    let tokens: TokenManager

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

    struct SiteRequest: Decodable {
        let siteId: String
    }

    struct SiteResponse: ResponseEncodable {
        let siteId: String
        let name: String
        let url: String
    }

    static func platform(_ context: AppRequestContext) throws -> Platform {
        let name = try context.parameters.require("platform")
        guard let platform = Platform(rawValue: name) else { throw IntegrationError.unknownPlatform(name) }
        return platform
    }

    /// Routes for signed-in callers.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("integrations", use: list)
        group.get("integrations/:platform/connect", use: startConnecting)
        group.post("integrations/:platform/connect", use: startConnecting)
        group.delete("integrations/:platform") { _, context -> DisconnectResponse in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let platform = try Self.platform(context)
            let revoked = try await OAuthFlow(deps: deps).disconnect(platform, for: identity, clientAddress: context.clientAddress)
            return DisconnectResponse(success: true, message: Self.disconnectMessage(platform, revoked: revoked), revokedAtProvider: revoked)
        }
        group.put("integrations/confluence/site") { request, context -> SiteResponse in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let body = try await request.decode(as: SiteRequest.self, context: context)
            let site = try await OAuthFlow(deps: deps).chooseSite(body.siteId, for: identity, clientAddress: context.clientAddress)
            return SiteResponse(siteId: site.id, name: site.name, url: site.url)
        }
        group.get("integrations/:platform/account") { _, context -> AccountResponse in
            let identity = try context.requireIdentity()
            let platform = try Self.platform(context)
            let access = try ProviderAccess(platform, userID: identity.userID, workspaceID: identity.workspaceID, deps: deps, tokens: tokens)
            let account = try await access(needsSite: false) { connector, session in try await connector.account(accessToken: session.accessToken) }
            return AccountResponse(platform: platform.rawValue, accountId: account.id, accountEmail: account.email, accountName: account.name)
        }
    }

    /// Starts a flow and redirects to the provider. API clients use `GET` with their token (the
    /// seed's shape); browsers post the Integrations page's form with its CSRF token, so no other
    /// site can start flows in a signed-in browser. A cookie-authenticated `GET` is accepted only
    /// when the browser itself says it came from this origin (`Sec-Fetch-Site: same-origin`).
    @Sendable func startConnecting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard identity.canAdminister else { throw AuthError.forbidden }
        let platform = try Self.platform(context)
        var nonce: String?
        if case .session = identity.method {
            if request.method == .get, request.headers[HTTPField.Name("Sec-Fetch-Site")!] != "same-origin" {
                throw IntegrationError.connectNeedsPost
            }
            // One nonce per browser, shared by flows started in parallel (one per tab or platform).
            nonce = request.cookies[deps.cookies.oauthBinding].flatMap { SecureToken.wellFormed($0.value) } ?? SecureToken.make()
        }
        let url = try await OAuthFlow(deps: deps).start(platform, for: identity, browserNonce: nonce)
        var response = Response.redirect(to: url, type: request.method == .post ? .normal : .found)
        if let nonce {
            response.setCookie(deps.cookies.cookie(deps.cookies.oauthBinding, value: nonce, maxAge: Int(OAuthFlow.stateLifetime), sameSite: .lax))
        }
        return response
    }

    /// The OAuth callback: the provider's redirect brings the browser here (with its session
    /// cookie, which `SameSite=Lax` allows on top-level GETs); API clients get JSON.
    func addCallbackRoute(to group: RouterGroup<AppRequestContext>) {
        group.get("integrations/:platform/callback") { request, context -> Response in
            let platform = try Self.platform(context)
            let query = request.uri.queryParameters
            let wantsJSON = request.headers[.accept]?.contains("application/json") == true
            do {
                let outcome = try await OAuthFlow(deps: deps).finish(
                    platform, code: query["code"].map(String.init), state: query["state"].map(String.init),
                    providerError: query["error"].map(String.init), caller: context.identity,
                    browserNonce: request.cookies[deps.cookies.oauthBinding]?.value, clientAddress: context.clientAddress)
                if wantsJSON {
                    let summary = outcome.summary
                    return try CallbackResponse(
                        success: true, message: "\(platform.displayName) connected successfully",
                        integration: .init(platform: platform.rawValue, accountEmail: summary.accountEmail, accountName: summary.accountName, connectedAt: summary.connectedAt)
                    ).response(from: request, context: context)
                }
                return try HTMLResponse(html: OAuthResultPage.render(.init(platform: platform, outcome: "connected", code: nil, message: "\(platform.displayName) connected.", origin: deps.config.apiBaseURL)))
                    .response(from: request, context: context)
            } catch let error as IntegrationError where !wantsJSON {
                return try HTMLResponse(
                    status: ErrorMiddleware.status(for: error.kind),
                    html: OAuthResultPage.render(.init(platform: platform, outcome: "error", code: error.code, message: error.safeMessage, origin: deps.config.apiBaseURL))
                ).response(from: request, context: context)
            }
        }
    }

    static func disconnectMessage(_ platform: Platform, revoked: Bool) -> String {
        switch platform {
        case .googleDrive, .dropbox:
            revoked ? "\(platform.displayName) disconnected and access revoked at \(platform.displayName)." : "\(platform.displayName) disconnected."
        case .microsoft:
            "Microsoft 365 disconnected. Microsoft has no way for an app to revoke itself: remove Cirrus at myapps.microsoft.com (work accounts) or account.live.com/consent/Manage (personal accounts)."
        case .confluence:
            "Confluence disconnected. To revoke access at Atlassian, remove Cirrus under Connected apps at id.atlassian.com/manage-profile/apps."
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse {
        let identity = try context.requireIdentity()
        let summaries = try await deps.integrations.summaries(for: identity)
        return ListResponse(integrations: summaries.map { summary in
            IntegrationDTO(
                platform: summary.platform.rawValue, displayName: summary.platform.displayName,
                connected: summary.status == .connected, status: summary.status.rawValue,
                configured: deps.connectors.isConfigured(summary.platform),
                accountEmail: summary.accountEmail, accountName: summary.accountName, connectedAt: summary.connectedAt)
        })
    }
}

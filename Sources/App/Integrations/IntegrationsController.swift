import CirrusCore
import Connectors
import Hummingbird

/// `/admin/integrations`: the four platforms' cards (connect, disconnect, choose the resource a
/// connection reads) and the setup checklist of those not configured.
struct IntegrationsController {
    let flow: OAuthFlow
    let integrations: IntegrationDirectory
    let connectors: ConnectorRegistry
    let chrome: PageChrome.Factory

    struct ResourceForm: Decodable {
        let resourceId: String
    }

    func addRoutes(pages: RouterGroup<SignedInContext>, adminPages: RouterGroup<AdminContext>) {
        pages.get(SiteRoute.integrationsPage.pattern) { request, context -> HTMLResponse in
            let identity = context.identity
            let cards = try await integrations.summaries(for: identity).map { summary in
                let platform = summary.platform
                return IntegrationsPage.Card(
                    platform: platform, status: summary.status, accountEmail: summary.accountEmail,
                    accountName: summary.accountName, connectedAt: summary.connectedAt, configured: connectors.isConfigured(platform),
                    setup: IntegrationsPage.setup(platform, redirectURI: connectors.redirectURI(platform), facts: connectors.configuredFacts(platform)),
                    choice: ConnectorRegistry.resourceChoice(platform), resourceID: summary.siteID, resources: summary.sites,
                    syncedSources: summary.syncedSources, grantedScopes: summary.grantedScopes)
            }
            let model = IntegrationsPage.Model(cards: cards, banner: Self.banner(request.uri.queryParameters), csrfToken: identity.csrfToken)
            return HTMLResponse(html: IntegrationsPage.render(model, chrome: chrome("Integrations", .integrations, identity)))
        }
        adminPages.post(SiteRoute.resourceForm(nil).pattern) { request, context -> Response in
            let form = try await request.decode(as: ResourceForm.self, context: context)
            _ = try await flow.chooseResource(form.resourceId, of: try context.platformParameter(), for: context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.integrationsPage.path, type: .normal)
        }
        adminPages.post(SiteRoute.confluenceSiteForm.pattern) { request, context -> Response in
            struct SiteForm: Decodable { let siteId: String }
            let form = try await request.decode(as: SiteForm.self, context: context)
            _ = try await flow.chooseResource(form.siteId, of: .confluence, for: context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.integrationsPage.path, type: .normal)
        }
        adminPages.post(SiteRoute.disconnectForm(nil).pattern) { _, context -> Response in
            let platform = try context.platformParameter()
            let revoked = try await flow.disconnect(platform, for: context.identity, clientAddress: context.clientAddress)
            let query: KeyValuePairs<String, String> =
                revoked
                ? ["platform": platform.rawValue, "outcome": "disconnected", "revoked": "1"] : ["platform": platform.rawValue, "outcome": "disconnected"]
            return .redirect(to: SiteRoute.integrationsPage.with(query), type: .normal)
        }
    }

    /// The result of a connect or disconnect, from known codes only (never text from the URL).
    static func banner(_ query: Parameters) -> IntegrationsPage.Banner? {
        guard let name = query["platform"], let platform = Platform(rawValue: String(name)), let outcome = query["outcome"] else { return nil }
        switch outcome {
        case "connected":
            return .init(success: true, message: "\(platform.displayName) connected.")
        case "disconnected":
            return .init(success: true, message: platform.disconnectedMessage(revoked: query["revoked"] == "1"))
        default:
            let known: [IntegrationError] =
                [
                    .invalidState, .expiredState, .stateBelongsToSomeoneElse, .providerDenied(platform), .notConfigured(platform),
                ] + (ConnectorRegistry.resourceChoice(platform).map { [.noResource(platform, $0)] } ?? [])
            let code = query["code"].map(String.init) ?? ""
            let message = known.first { $0.code == code }?.safeMessage ?? "\(platform.displayName) could not be connected. Try again."
            return .init(success: false, message: message)
        }
    }
}

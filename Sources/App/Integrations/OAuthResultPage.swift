import CirrusCore
import Plot

/// What the OAuth popup shows after the provider sends the browser back: it tells the page
/// that opened it (at exactly this server's origin) and closes; without an opener it links back.
enum OAuthResultPage {
    struct Model: Sendable {
        let platform: Platform
        /// `connected` or `error`.
        let outcome: String
        let code: String?
        let message: String
        /// The origin the result may be posted to: this server's public URL.
        let origin: String
    }

    static func render(_ model: Model) -> String {
        let chrome = PageChrome(title: model.platform.displayName, section: nil, userEmail: nil, userName: nil, csrfToken: nil, demo: false)
        let html = Layout.render(
            chrome,
            main: .div(
                .class("login-card"), .id("oauth-result"),
                .data(named: "platform", value: model.platform.rawValue), .data(named: "outcome", value: model.outcome),
                .attr("data-code", model.code ?? ""), .attr("data-origin", model.origin), .attr("data-return", SiteRoute.integrationsPage.path),
                .h1(.safeText(model.outcome == "connected" ? "Connected" : "Not connected")),
                .p(.class(model.outcome == "connected" ? "alert success" : "alert error"), .attr("role", "status"), .safeText(model.message)),
                .p(.a(.class("button"), .href(SiteRoute.integrationsPage.path), .text("Back to Integrations")))
            ))
        let shared = "<script src=\"\(SiteRoute.staticFile("app.js").path)\" defer></script>"
        return html.replacingOccurrences(of: shared, with: shared + "<script src=\"\(SiteRoute.staticFile("oauth-result.js").path)\" defer></script>")
    }
}

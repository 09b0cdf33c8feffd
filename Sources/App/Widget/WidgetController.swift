import CirrusCore
import Foundation
import Hummingbird

/// The widget's settings page: everyone signed in reads it, admins change it.
struct WidgetController {
    let widget: WidgetService
    let publicURL: String
    let chrome: PageChrome.Factory

    /// The form as a browser posts it (an unticked box is absent; origins one per line).
    struct Form: Decodable {
        let enabled: String?
        let allowedOrigins: String?
        let colour: String
        let position: WidgetPosition
        let launcherText: String

        var change: WidgetChange {
            WidgetChange(
                enabled: enabled == "true", allowedOrigins: (allowedOrigins ?? "").split(whereSeparator: \.isNewline).map(String.init),
                colour: colour, position: position, launcherText: launcherText)
        }
    }

    func addRoutes(pages: RouterGroup<SignedInContext>, adminPages: RouterGroup<AdminContext>) {
        pages.get(SiteRoute.widgetPage.pattern) { request, context -> HTMLResponse in
            try await page(context.identity, notice: request.uri.queryParameters["saved"] != nil ? "The widget's settings are saved." : nil)
        }
        adminPages.post(SiteRoute.widgetPage.pattern) { request, context -> Response in
            do {
                let form = try await request.decode(as: Form.self, context: context)
                try await widget.update(form.change, by: context.identity, clientAddress: context.clientAddress)
            } catch let error as WidgetError {
                var response = try await page(context.identity, error: error.safeMessage).response(from: request, context: context)
                response.status = .badRequest
                return response
            }
            return .redirect(to: SiteRoute.widgetPage.with(["saved": "1"]), type: .normal)
        }
    }

    private func page(_ identity: Identity, notice: String? = nil, error: String? = nil) async throws -> HTMLResponse {
        let profile = try await widget.profile(for: identity.workspaceID)
        let model = WidgetPage.Model(
            profile: profile, snippet: WidgetAPI.snippet(profile, publicURL: publicURL), canEdit: identity.canAdminister,
            csrfToken: identity.csrfToken, notice: notice, error: error)
        return HTMLResponse(html: WidgetPage.render(model, chrome: chrome("Website widget", .widget, identity)))
    }
}

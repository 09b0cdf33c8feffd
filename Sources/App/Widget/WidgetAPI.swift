import CirrusCore
import Foundation
import Hummingbird

/// `/api/v1/widget` (admins): `GET` the website widget's settings with its snippet, `PATCH`
/// some of them (``WidgetChange``).
struct WidgetAPI {
    let widget: WidgetService
    /// Where the snippet loads the script from.
    let publicURL: String

    struct SettingsDTO: ResponseEncodable, Decodable, Equatable {
        let siteKey: String
        let enabled: Bool
        let allowedOrigins: [String]
        let colour: String
        let position: WidgetPosition
        let launcherText: String
        /// What to paste into a website's pages.
        let snippet: String
    }

    static func snippet(_ profile: WidgetProfile, publicURL: String) -> String {
        #"<script src="\#(publicURL)\#(SiteRoute.staticFile("widget.js").path)" data-cirrus-site="\#(profile.siteKey)" async></script>"#
    }

    func dto(_ profile: WidgetProfile) -> SettingsDTO {
        SettingsDTO(
            siteKey: profile.siteKey, enabled: profile.enabled, allowedOrigins: profile.allowedOrigins, colour: profile.colour,
            position: profile.position, launcherText: profile.launcherText, snippet: Self.snippet(profile, publicURL: publicURL))
    }

    func addRoutes(to admin: RouterGroup<AdminContext>) {
        admin.get(SiteRoute.widget.pattern) { _, context -> SettingsDTO in
            dto(try await widget.profile(for: context.identity.workspaceID))
        }
        admin.patch(SiteRoute.widget.pattern) { request, context -> SettingsDTO in
            let change = try await request.decode(as: WidgetChange.self, context: context)
            return dto(try await widget.update(change, by: context.identity, clientAddress: context.clientAddress))
        }
    }
}

import Foundation
import Plot

/// `/admin/widget`: the website widget's settings (the seed's "Widget Settings"), the snippet to
/// copy, and the widget itself in the corner as a preview.
enum WidgetPage {
    struct Model: Sendable {
        let profile: WidgetProfile
        let snippet: String
        let canEdit: Bool
        let csrfToken: String?
        let notice: String?
        let error: String?
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(
                    .class("lead"),
                    .text(
                        "A chat panel for your website: visitors ask the chatbot, which answers as its settings say, from the pages of the origins listed here."
                    )),
                Alerts.notice(model.notice),
                Alerts.error(model.error),
                .section(
                    .class("panel"),
                    .h2(.text("Snippet")),
                    .p(.class("muted"), .text("Paste it before </body> on each page of an allowed origin.")),
                    .textarea(
                        .id("widget-snippet"), .attr("readonly", "readonly"), .attr("rows", "2"), .attr("aria-label", "Widget snippet"),
                        .safeText(model.snippet))),
                form(model),
                .p(.class("muted"), .text("The launcher in the corner of this page is the widget as visitors see it, with the saved settings.")),
                // The preview: this server's own origin may always use the widget.
                .script(.src(SiteRoute.staticFile("widget.js").path), .attr("data-cirrus-site", model.profile.siteKey), .defer())
            ))
    }

    private static func form(_ model: Model) -> Node<HTML.BodyContext> {
        let profile = model.profile
        return .form(
            .class("panel settings-form"), .method(.post), .action(SiteRoute.widgetPage.path),
            CSRFField.node(model.csrfToken),
            FormFields.fieldset(
                "Where it may be embedded", editable: model.canEdit,
                .div(
                    .class("check"),
                    .input(.type(.checkbox), .id("widget-enabled"), .name("enabled"), .attr("value", "true"), FormFields.checked(profile.enabled)),
                    .label(.for("widget-enabled"), .text("Switched on"))),
                .label(.for("widget-origins"), .text("Allowed origins, one per line (https://www.example.com)")),
                .textarea(
                    .id("widget-origins"), .name("allowedOrigins"), .attr("rows", "4"), .safeText(profile.allowedOrigins.joined(separator: "\n")))),
            FormFields.fieldset(
                "How it looks", editable: model.canEdit,
                .label(.for("widget-colour"), .text("Colour")),
                .input(.type(.color), .id("widget-colour"), .name("colour"), .attr("value", profile.colour)),
                .label(.for("widget-position"), .text("Corner")),
                FormFields.select(
                    id: "widget-position", name: "position", options: [("right", "Bottom right"), ("left", "Bottom left")],
                    selected: profile.position.rawValue),
                .label(.for("widget-launcher"), .text("Launcher text")),
                .input(
                    .type(.text), .id("widget-launcher"), .name("launcherText"), .attr("value", profile.launcherText), .attr("maxlength", "40"),
                    .required(true))),
            .if(model.canEdit, .button(.type(.submit), .class("button primary"), .text("Save")))
        )
    }

}

import Foundation
import Plot

/// `/admin/api-keys`: the workspace's keys for integrators, a form that makes one, and — once,
/// right after it is made — the key itself with a curl line to try it.
enum APIKeysPage {
    struct Model: Sendable {
        let keys: [APIKeyService.Summary]
        let issued: APIKeyService.Issued?
        let publicURL: String
        let csrfToken: String?
        let notice: String?
        let error: String?
    }

    static let expiryOptions: [(value: String, label: String)] = [
        ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("never", "Never"),
    ]

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(
                    .class("lead"),
                    .text(
                        "Keys let other programs use this workspace's API. A key acts as the admin who made it, limited to its scope, and works on /api/v1 only."
                    )),
                Alerts.notice(model.notice),
                Alerts.error(model.error),
                .unwrap(model.issued) { issued in
                    .section(
                        .class("panel"), .id("new-api-key"),
                        .h2(.safeText("Your new key: \(issued.summary.name)")),
                        Alerts.notice("Copy it now: it is shown this once and stored only as a hash."),
                        .textarea(
                            .id("api-key-secret"), .attr("readonly", "readonly"), .attr("rows", "1"), .attr("aria-label", "API key"), .safeText(issued.key)),
                        .p(.class("muted"), .text("Try it:")),
                        .textarea(
                            .attr("readonly", "readonly"), .attr("rows", "2"), .attr("aria-label", "Example request"),
                            .safeText(#"curl -H "Authorization: Bearer \#(issued.key)" \#(model.publicURL)\#(SiteRoute.documents.path)"#)))
                },
                form(model),
                table(model)
            ))
    }

    private static func form(_ model: Model) -> Node<HTML.BodyContext> {
        .form(
            .class("panel settings-form"), .method(.post), .action(SiteRoute.apiKeysPage.path),
            CSRFField.node(model.csrfToken),
            FormFields.fieldset(
                "Make a key", editable: true,
                .label(.for("api-key-name"), .text("Name (what uses it)")),
                .input(.type(.text), .id("api-key-name"), .name("name"), .attr("maxlength", "100"), .required(true)),
                .label(.for("api-key-scope"), .text("Scope")),
                FormFields.select(
                    id: "api-key-scope", name: "scope", options: APIKeyScope.allCases.map { ($0.rawValue, "\($0.rawValue) — \($0.summary)") },
                    selected: APIKeyScope.read.rawValue),
                .label(.for("api-key-expiry"), .text("Expires")),
                FormFields.select(id: "api-key-expiry", name: "expiresInDays", options: expiryOptions, selected: "90")),
            .button(.type(.submit), .class("button primary"), .text("Make key"))
        )
    }

    private static func table(_ model: Model) -> Node<HTML.BodyContext> {
        guard !model.keys.isEmpty else { return .div(.class("empty"), .p(.text("No API keys yet."))) }
        return .div(
            .class("table-wrap"),
            .table(
                .id("api-keys"),
                .thead(
                    .tr(
                        .th(.text("Name")), .th(.text("Key")), .th(.text("Scope")), .th(.text("Made by")), .th(.text("Created")),
                        .th(.text("Last used")), .th(.text("Expires")), .th(.text("")))),
                .tbody(
                    .forEach(model.keys) { key in
                        .tr(
                            .td(.safeText(key.name)), .td(.code(.safeText(key.prefix + "…"))), .td(.safeText(key.scope.rawValue)),
                            .td(.safeText(key.createdBy)), .td(TimeElement.node(key.createdAt)), .td(TimeElement.node(key.lastUsedAt, placeholder: "never")),
                            .td(key.expired ? .span(.class("badge error"), .text("expired")) : TimeElement.node(key.expiresAt, placeholder: "never")),
                            .td(
                                .form(
                                    .action(SiteRoute.revokeAPIKeyForm(key.id).path), .method(.post), .class("inline"),
                                    .attr("data-confirm", "Revoke the key \u{201C}\(key.name)\u{201D}? Programs using it stop working at once."),
                                    CSRFField.node(model.csrfToken),
                                    .button(.type(.submit), .class("button subtle"), .text("Revoke"))
                                ))
                        )
                    })
            ))
    }
}

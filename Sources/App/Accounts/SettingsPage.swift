import Foundation
import Plot

/// The signed-in account (password, sessions, API tokens) and how this server is set up
/// (never its secrets; for admins only).
enum SettingsPage {
    /// A fixed set of messages the page may show after a redirect, so a link cannot put words on it.
    enum Notice: String, Sendable {
        case changePassword = "change-password"
        case passwordChanged = "password-changed"
        case tokenRevoked = "token-revoked"

        var text: String {
            switch self {
            case .changePassword: "This account still has the one-time password it was created with. Choose your own password to continue."
            case .passwordChanged: "Your password was changed. Every other session and API token was signed out."
            case .tokenRevoked: "The API token was revoked."
            }
        }
    }

    struct Model: Sendable {
        let email: String
        let displayName: String
        let role: String
        let csrfToken: String?
        var notice: Notice? = nil
        var error: String? = nil
        let tokens: [AccountSecurity.TokenSummary]
        /// Whether to show how the server is set up (admins and owners).
        let showsServer: Bool
        let database: String
        let demo: Bool
        let publicURL: String
        let encryptionKeyCount: Int
        let configuredProviders: [String]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .if(
                    model.notice != nil,
                    .div(
                        .class(model.notice == .changePassword ? "alert error" : "alert success"), .attr("role", "status"), .safeText(model.notice?.text ?? ""))
                ),
                Alerts.error(model.error),
                .section(
                    .class("panel"),
                    .h2(.text("Your account")),
                    .dl(
                        .class("facts"),
                        .dt(.text("Name")), .dd(.safeText(model.displayName)),
                        .dt(.text("Email")), .dd(.safeText(model.email)),
                        .dt(.text("Role")), .dd(.safeText(model.role)))
                ),
                .section(
                    .class("panel"), .id("password"),
                    .h2(.text("Change password")),
                    .form(
                        .action(SiteRoute.passwordForm.path), .method(.post),
                        CSRFField.node(model.csrfToken),
                        .label(.for("current-password"), .text("Current password")),
                        .input(.type(.password), .id("current-password"), .name("currentPassword"), .required(true), .attr("autocomplete", "current-password")),
                        .label(.for("new-password"), .text("New password (at least 10 characters)")),
                        .input(
                            .type(.password), .id("new-password"), .name("newPassword"), .required(true), .attr("minlength", "10"),
                            .attr("autocomplete", "new-password")),
                        .label(.for("confirm-password"), .text("New password again")),
                        .input(
                            .type(.password), .id("confirm-password"), .name("confirmPassword"), .required(true), .attr("minlength", "10"),
                            .attr("autocomplete", "new-password")),
                        .button(.type(.submit), .class("button primary"), .text("Change password"))
                    )
                ),
                .section(
                    .class("panel"), .id("sessions"),
                    .h2(.text("Sessions and API tokens")),
                    tokenTable(model),
                    .form(
                        .action(SiteRoute.signOutEverywhereForm.path), .method(.post), .class("inline"),
                        .data(named: "confirm", value: "Sign out every browser and revoke every API token of this account?"),
                        CSRFField.node(model.csrfToken),
                        .button(.type(.submit), .class("button danger"), .text("Sign out everywhere"))
                    )
                ),
                .if(
                    model.showsServer,
                    .section(
                        .class("panel"),
                        .h2(.text("This server")),
                        .dl(
                            .class("facts"),
                            .dt(.text("Database")), .dd(.safeText(model.database)),
                            .dt(.text("Public URL")), .dd(.safeText(model.publicURL)),
                            .dt(.text("Mode")), .dd(.text(model.demo ? "Demo (built-in provider sandbox)" : "Live providers")),
                            .dt(.text("Encryption keys")), .dd(.safeText("\(model.encryptionKeyCount) (the first encrypts; rotate with `cirrus rotate-keys`)")),
                            .dt(.text("Providers configured")),
                            .dd(.safeText(model.configuredProviders.isEmpty ? "none" : model.configuredProviders.joined(separator: ", "))))
                    ))
            ))
    }

    private static func tokenTable(_ model: Model) -> Node<HTML.BodyContext> {
        guard !model.tokens.isEmpty else { return .p(.class("muted"), .text("No API tokens. `POST /api/v1/auth/login` issues one.")) }
        func time(_ date: Date?) -> Node<HTML.BodyContext> { TimeElement.node(date, placeholder: "never") }
        return .div(
            .class("table-wrap"),
            .table(
                .thead(.tr(.th(.text("Token")), .th(.text("Created")), .th(.text("Last used")), .th(.text("Expires")), .th(.text("")))),
                .tbody(
                    .forEach(model.tokens) { token in
                        .tr(
                            .td(.safeText(token.name)), .td(time(token.createdAt)), .td(time(token.lastUsedAt)), .td(time(token.expiresAt)),
                            .td(
                                .form(
                                    .action(SiteRoute.revokeTokenForm(token.id.uuidString).path), .method(.post), .class("inline"),
                                    CSRFField.node(model.csrfToken),
                                    .button(.type(.submit), .class("button subtle"), .text("Revoke"))
                                ))
                        )
                    })
            ))
    }
}

import Plot

/// The signed-in account and how this server is set up (never its secrets).
enum SettingsPage {
    struct Model: Sendable {
        let email: String
        let displayName: String
        let role: String
        let database: String
        let demo: Bool
        let publicURL: String
        let encryptionKeyCount: Int
        let configuredProviders: [String]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(chrome, main: .group(
            .section(
                .class("panel"),
                .h2(.text("Your account")),
                .dl(.class("facts"),
                    .dt(.text("Name")), .dd(.safeText(model.displayName)),
                    .dt(.text("Email")), .dd(.safeText(model.email)),
                    .dt(.text("Role")), .dd(.safeText(model.role)))
            ),
            .section(
                .class("panel"),
                .h2(.text("This server")),
                .dl(.class("facts"),
                    .dt(.text("Database")), .dd(.safeText(model.database)),
                    .dt(.text("Public URL")), .dd(.safeText(model.publicURL)),
                    .dt(.text("Mode")), .dd(.text(model.demo ? "Demo (built-in provider sandbox)" : "Live providers")),
                    .dt(.text("Encryption keys")), .dd(.safeText("\(model.encryptionKeyCount) (the first encrypts; rotate with `cirrus rotate-keys`)")),
                    .dt(.text("Providers configured")), .dd(.safeText(model.configuredProviders.isEmpty ? "none" : model.configuredProviders.joined(separator: ", "))))
            )
        ))
    }
}

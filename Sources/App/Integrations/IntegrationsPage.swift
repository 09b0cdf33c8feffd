import CirrusCore
import Connectors
import Foundation
import Plot

/// The Integrations page: one card per provider with its connection status and actions.
enum IntegrationsPage {
    struct Card: Sendable {
        let platform: Platform
        let status: IntegrationSummary.Status
        let accountEmail: String?
        let accountName: String?
        let connectedAt: Date?
        /// Whether the operator configured this provider's OAuth app (or demo mode stands in for it).
        let configured: Bool
        let setup: Setup
        /// What the connection chooses after connecting (a Confluence site), if anything.
        var choice: ResourceChoice? = nil
        var resourceID: String? = nil
        var resources: [UserIntegration.Site] = []
        var syncedSources = 0
        var grantedScopes: [String] = []
    }

    /// What an operator must do to enable a provider.
    struct Setup: Sendable {
        let environment: [String]
        let redirectURI: String
        let scopes: [String]
        let pitfalls: [String]
    }

    struct Banner: Sendable {
        let success: Bool
        let message: String
    }

    struct Model: Sendable {
        let cards: [Card]
        let banner: Banner?
        let csrfToken: String?
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(
                    .class("lead"),
                    .text("Connect the places your team keeps documents. Cirrus only reads: it never changes or deletes anything at the provider.")),
                .unwrap(model.banner) { banner in
                    .div(.class(banner.success ? "alert success" : "alert error"), .attr("role", "status"), .safeText(banner.message))
                },
                .div(.class("card-grid"), .attr("role", "list"), .forEach(model.cards) { card($0, csrf: model.csrfToken) })
            ))
    }

    static func card(_ card: Card, csrf: String?) -> Node<HTML.BodyContext> {
        let platform = card.platform
        let titleID = "card-\(platform.rawValue)-title"
        return .element(
            named: "article",
            nodes: [
                .class("card integration"), .attr("role", "listitem"), .attr("aria-labelledby", titleID),
                .data(named: "platform", value: platform.rawValue), .data(named: "status", value: card.status.rawValue),
                .div(
                    .class("card-head"),
                    .img(.src(SiteRoute.staticFile("icons/\(platform.rawValue).svg").path), .attr("alt", ""), .width(40), .height(40)),
                    .h2(.id(titleID), .text(platform.displayName)),
                    statusPill(card.status)
                ),
                .p(.class("muted"), .text(platform.summary)),
                .if(
                    card.status != .notConnected,
                    .dl(
                        .class("facts"),
                        .dt(.text("Account")), .dd(.class("account"), .safeText(accountLine(card))),
                        .dt(.text("Connected on")), .dd(.safeText(card.connectedAt.map(Self.dayFormat) ?? "—")),
                        .unwrap(card.resources.first { $0.id == card.resourceID }) { resource in
                            .group(.dt(.text("Site")), .dd(.class("site"), .safeText(resource.url)))
                        },
                        .if(
                            !card.grantedScopes.isEmpty,
                            .group(
                                .dt(.text("Granted")),
                                .dd(.class("scopes"), .ul(.class("scope-list"), .forEach(card.grantedScopes) { .li(.code(.safeText($0))) }))))
                    )),
                .if(card.syncedSources > 0, syncLine(card)),
                .unwrap(card.choice) { choice in .if(card.resources.count > 1, resourceChooser(card, choice: choice, csrf: csrf)) },
                .if(
                    card.status == .needsReconnect,
                    .p(
                        .class("alert error small"),
                        .text(
                            card.syncedSources > 0
                                ? "The provider no longer accepts the saved sign-in, so sync is paused. Reconnect to resume importing and syncing; your documents are kept."
                                : "The provider no longer accepts the saved sign-in. Reconnect to keep importing; your documents are kept."))),
                card.configured ? actions(card, csrf: csrf) : setupChecklist(card),
            ])
    }

    /// How many synced sources read the connection, and whether they are paused with it.
    private static func syncLine(_ card: Card) -> Node<HTML.BodyContext> {
        let count = "\(card.syncedSources) synced source\(card.syncedSources == 1 ? "" : "s")"
        let state: String =
            switch card.status {
            case .connected: "kept in step with \(card.platform.displayName)"
            case .needsReconnect: "paused until you reconnect"
            case .notConnected: "paused until you connect again"
            }
        return .p(.class("sync small"), .a(.href(SiteRoute.sourcesPage.path), .safeText(count)), .safeText(": " + state))
    }

    private static func actions(_ card: Card, csrf: String?) -> Node<HTML.BodyContext> {
        let platform = card.platform
        return .div(
            .class("card-actions"),
            // Starting a flow is a form post with the CSRF token, so no other site can start one.
            .if(
                card.status == .notConnected || card.status == .needsReconnect,
                .form(
                    .action(SiteRoute.connect(platform).path), .method(.post), .class("inline"), .data(named: "connect", value: platform.rawValue),
                    .data(named: "return", value: SiteRoute.integrationsPage.path),
                    CSRFField.node(csrf),
                    .button(
                        .type(.submit), .class("button primary"),
                        .text(card.status == .notConnected ? "Connect \(platform.displayName)" : "Reconnect"))
                )),
            .if(
                card.status != .notConnected,
                .form(
                    .action(SiteRoute.disconnectForm(platform).path), .method(.post), .class("inline"),
                    .data(named: "confirm", value: "Disconnect \(platform.displayName)? Imported documents stay in the knowledge base."),
                    CSRFField.node(csrf),
                    .button(.type(.submit), .class("button danger"), .text("Disconnect"))
                ))
        )
    }

    /// A grant that reaches several resources (Atlassian: sites): the admin picks the one to read.
    private static func resourceChooser(_ card: Card, choice: ResourceChoice, csrf: String?) -> Node<HTML.BodyContext> {
        let options: [Node<HTML.SelectContext>] = card.resources.map { resource in
            let selected: Node<HTML.OptionContext> = resource.id == card.resourceID ? .attribute(named: "selected") : .empty
            return .element(named: "option", nodes: [.attr("value", resource.id), selected, .safeText("\(resource.name) (\(resource.url))")])
        }
        let field = "\(card.platform.rawValue)-resource"
        let select: Node<HTML.FormContext> = .element(named: "select", nodes: [.id(field), .attr("name", "resourceId"), .group(options)])
        return .form(
            .action(SiteRoute.resourceForm(card.platform).path), .method(.post), .class("site-choice"),
            CSRFField.node(csrf),
            .label(.for(field), .safeText("Read from \(choice.noun)")),
            select,
            .button(.type(.submit), .class("button"), .safeText("Use this \(choice.noun)"))
        )
    }

    private static func setupChecklist(_ card: Card) -> Node<HTML.BodyContext> {
        .element(
            named: "details",
            nodes: [
                .class("setup"),
                .element(named: "summary", nodes: [.text("Set up \(card.platform.displayName)")]),
                .p(.class("small"), .text("Not configured on this server. To enable it:")),
                .ol(
                    .li(.text("Set "), .forEach(card.setup.environment) { .code(.safeText($0 + " ")) }),
                    .li(.text("Register this exact redirect URI: "), .code(.safeText(card.setup.redirectURI))),
                    .li(.text("Request these scopes: "), .code(.safeText(card.setup.scopes.joined(separator: " "))))
                ),
                .ul(.class("small muted"), .forEach(card.setup.pitfalls) { .li(.safeText($0)) }),
            ])
    }

    static func statusPill(_ status: IntegrationSummary.Status) -> Node<HTML.BodyContext> {
        switch status {
        case .connected: .span(.class("pill ok"), .text("Connected"))
        case .needsReconnect: .span(.class("pill warn"), .text("Needs reconnect"))
        case .notConnected: .span(.class("pill"), .text("Not connected"))
        }
    }

    static func accountLine(_ card: Card) -> String {
        switch (card.accountName, card.accountEmail) {
        case (let name?, let email?): "\(name) · \(email)"
        case (let name?, nil): name
        case (nil, let email?): email
        default: "—"
        }
    }

    static func dayFormat(_ date: Date) -> String {
        date.formatted(.dateTime.year().month(.abbreviated).day())
    }

    /// The setup checklist of a provider: the settings to set, the redirect URI to register,
    /// the scopes to enable and the provider's pitfalls (from its connector's facts, as this
    /// server's configuration makes them).
    static func setup(_ platform: Platform, redirectURI: String, facts: ProviderFacts) -> Setup {
        return Setup(
            environment: AppConfig.Key.credentials(platform), redirectURI: redirectURI, scopes: facts.scopes, pitfalls: facts.setupPitfalls)
    }
}

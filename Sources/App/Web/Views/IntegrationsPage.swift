import CirrusCore
import Foundation
import Plot

/// The Integrations page: one card per provider with its connection status.
enum IntegrationsPage {
    struct Card: Sendable {
        let platform: Platform
        let status: IntegrationSummary.Status
        let accountEmail: String?
        let accountName: String?
        let connectedAt: Date?
        /// Whether the operator configured this provider's OAuth app (or demo mode stands in for it).
        let configured: Bool
    }

    struct Model: Sendable {
        let cards: [Card]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(chrome, main: .group(
            .p(.class("lead"), .text("Connect the places your team keeps documents. Cirrus only reads: it never changes or deletes anything at the provider.")),
            .div(.class("card-grid"), .attr("role", "list"), .forEach(model.cards) { card($0) })
        ))
    }

    static func card(_ card: Card) -> Node<HTML.BodyContext> {
        let platform = card.platform
        let titleID = "card-\(platform.rawValue)-title"
        return .element(named: "article", nodes: [
            .class("card integration"), .attr("role", "listitem"), .attr("aria-labelledby", titleID),
            .data(named: "platform", value: platform.rawValue),
            .div(
                .class("card-head"),
                .img(.src("/static/icons/\(platform.rawValue).svg"), .attr("alt", ""), .width(40), .height(40)),
                .h2(.id(titleID), .text(platform.displayName)),
                statusPill(card.status)
            ),
            .p(.class("muted"), .text(platform.summary)),
            .if(card.status != .notConnected, .dl(
                .class("facts"),
                .dt(.text("Account")), .dd(.safeText(accountLine(card))),
                .dt(.text("Connected on")), .dd(.safeText(card.connectedAt.map(Self.dayFormat) ?? "—"))
            )),
            .div(
                .class("card-actions"),
                .button(
                    .type(.button), .class("button primary"), .attr("aria-disabled", "true"),
                    .attr("aria-describedby", "card-\(platform.rawValue)-note"),
                    .text(card.status == .needsReconnect ? "Reconnect" : "Connect")
                ),
                .span(.id("card-\(platform.rawValue)-note"), .class("muted small"),
                      .text(card.configured ? "Connecting arrives with OAuth support." : "Set this provider's client id and secret to connect."))
            ),
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
        case let (name?, email?): "\(name) · \(email)"
        case let (name?, nil): name
        case let (nil, email?): email
        default: "—"
        }
    }

    static func dayFormat(_ date: Date) -> String {
        date.formatted(.dateTime.year().month(.abbreviated).day())
    }
}

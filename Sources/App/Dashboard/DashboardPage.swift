import Foundation
import Plot

/// The admin's home: how much is connected and imported, and what happened lately.
enum DashboardPage {
    struct Model: Sendable {
        let connectedCount: Int
        let documentCount: Int
        let chunkCount: Int
        let recent: [ActivityPage.Row]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .div(
                    .class("stats"),
                    stat("Connected accounts", model.connectedCount, link: SiteRoute.integrationsPage.path),
                    stat("Documents", model.documentCount, link: SiteRoute.documentsPage.path),
                    stat("Indexed passages", model.chunkCount, link: SiteRoute.documentsPage.path)
                ),
                .if(
                    model.connectedCount == 0,
                    .div(
                        .class("callout"),
                        .h2(.text("Get started")),
                        .p(.text("Connect Google Drive, Microsoft 365, Dropbox or Confluence, then import documents for the chatbot to answer from.")),
                        .a(.class("button primary"), .href(SiteRoute.integrationsPage.path), .text("Open Integrations"))
                    )),
                .section(
                    .h2(.text("Recent activity")),
                    ActivityPage.table(model.recent, emptyText: "Nothing has happened yet.")
                )
            ))
    }

    private static func stat(_ label: String, _ value: Int, link: String) -> Node<HTML.BodyContext> {
        .a(.class("stat"), .href(link), .span(.class("stat-value"), .text(String(value))), .span(.class("stat-label"), .text(label)))
    }
}

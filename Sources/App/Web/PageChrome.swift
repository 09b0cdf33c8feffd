import Plot

/// What every signed-in page shows around its content: navigation, who is signed in, and
/// whether the data is the demo sandbox's.
struct PageChrome: Sendable {
    /// The sidebar's destinations, in order.
    enum Section: String, CaseIterable, Sendable {
        case dashboard, documents, sources, integrations, chat, chatbot, widget, insights, activity, people, apiKeys, settings

        var title: String {
            switch self {
            case .dashboard: "Dashboard"
            case .documents: "Documents"
            case .sources: "Synced sources"
            case .integrations: "Integrations"
            case .chat: "Chat"
            case .chatbot: "Chatbot"
            case .widget: "Website widget"
            case .insights: "Insights"
            case .activity: "Activity"
            case .people: "People"
            case .apiKeys: "API keys"
            case .settings: "Settings"
            }
        }

        /// Shown to owners and admins only (their pages refuse members).
        var adminOnly: Bool { self == .insights || self == .people || self == .apiKeys }

        var route: SiteRoute {
            switch self {
            case .dashboard: .dashboard
            case .documents: .documentsPage
            case .sources: .sourcesPage
            case .integrations: .integrationsPage
            case .chat: .chatPage
            case .chatbot: .chatbotPage
            case .widget: .widgetPage
            case .insights: .insightsPage
            case .activity: .activityPage
            case .people: .peoplePage
            case .apiKeys: .apiKeysPage
            case .settings: .settingsPage
            }
        }
    }

    let title: String
    let section: Section?
    let userEmail: String?
    let userName: String?
    let csrfToken: String?
    let demo: Bool
    var canAdminister = true

    /// Makes the frame of signed-in pages; knows whether the providers are the demo's stand-ins.
    struct Factory: Sendable {
        let demo: Bool

        func callAsFunction(_ title: String, _ section: Section?, _ identity: Identity) -> PageChrome {
            PageChrome(
                title: title, section: section, userEmail: identity.email, userName: identity.displayName,
                csrfToken: identity.csrfToken, demo: demo, canAdminister: identity.canAdminister)
        }
    }
}

/// The HTML document every page shares: head, sidebar, header and main area.
enum Layout {
    static func render(_ chrome: PageChrome, main content: Node<HTML.BodyContext>) -> String {
        let html = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title(chrome.title + " · Cirrus"),
                .link(.rel(.stylesheet), .href(SiteRoute.staticFile("app.css").path)),
                .link(.rel(.icon), .href(SiteRoute.staticFile("icons/cirrus.svg").path)),
                .script(.src(SiteRoute.staticFile("app.js").path), .defer())
            ),
            .body(
                .class(chrome.userEmail == nil ? "bare" : "shell"),
                .a(.class("skip-link"), .href("#main"), .text("Skip to content")),
                .if(chrome.userEmail != nil, sidebar(chrome)),
                .div(
                    .class("page"),
                    .if(chrome.userEmail != nil, header(chrome)),
                    .element(named: "main", nodes: [.id("main"), .attr("tabindex", "-1"), content])
                )
            )
        )
        return html.render()
    }

    private static func sidebar(_ chrome: PageChrome) -> Node<HTML.BodyContext> {
        .element(
            named: "aside",
            nodes: [
                .class("sidebar"),
                .div(
                    .class("brand"), .img(.src(SiteRoute.staticFile("icons/cirrus.svg").path), .attr("alt", ""), .width(28), .height(28)),
                    .span(.text("Cirrus"))),
                .element(
                    named: "nav",
                    nodes: [
                        .attr("aria-label", "Main"),
                        .ul(
                            .forEach(PageChrome.Section.allCases.filter { chrome.canAdminister || !$0.adminOnly }) { section in
                                .li(
                                    .a(
                                        .href(section.route.path),
                                        .class(section == chrome.section ? "nav-link active" : "nav-link"),
                                        section == chrome.section ? .attr("aria-current", "page") : .empty,
                                        .text(section.title)
                                    ))
                            }),
                    ]),
            ])
    }

    private static func header(_ chrome: PageChrome) -> Node<HTML.BodyContext> {
        .header(
            .class("topbar"),
            .h1(.safeText(chrome.title)),
            .div(
                .class("topbar-right"),
                .if(chrome.demo, .span(.class("badge demo"), .attr("title", "Connectors talk to the built-in provider sandbox"), .text("Demo data"))),
                // The count is filled in by app.js from the API, so every page need not ask the store.
                .a(
                    .class("bell"), .href(SiteRoute.notificationsPage.path), .attr("aria-label", "Notifications"),
                    .data(named: "source", value: SiteRoute.notifications.with(["unread": "true", "limit": "0"])),
                    .span(.attr("aria-hidden", "true"), .text("\u{1F514}")), .span(.class("bell-count"), .attr("hidden", "hidden"))),
                .span(.class("who"), .safeText(chrome.userName ?? ""), .span(.class("muted"), .safeText(" " + (chrome.userEmail ?? "")))),
                .form(
                    .action(SiteRoute.logout.path), .method(.post), .class("inline"),
                    CSRFField.node(chrome.csrfToken),
                    .button(.type(.submit), .class("button subtle"), .text("Sign out"))
                )
            )
        )
    }
}

import Plot

/// The two messages a page may show above its content: what just happened, and what went wrong.
enum Alerts {
    /// A success notice (`role=status`, read out when it appears), or nothing.
    static func notice(_ text: String?) -> Node<HTML.BodyContext> {
        .unwrap(text) { .div(.class("alert success"), .attr("role", "status"), .safeText($0)) }
    }

    /// An error (`role=alert`), or nothing.
    static func error(_ text: String?) -> Node<HTML.BodyContext> {
        .unwrap(text) { .div(.class("alert error"), .attr("role", "alert"), .safeText($0)) }
    }
}

/// The card signed-out pages are made of (sign-in, joining by invitation): the brand, a heading,
/// a line under it, an error if any, then the form.
enum SignedOutCard {
    static func render(
        title: String, heading: String, lead: String, error: String?, csrfToken: String?, demo: Bool, _ content: Node<HTML.BodyContext>...
    )
        -> String
    {
        let chrome = PageChrome(title: title, section: nil, userEmail: nil, userName: nil, csrfToken: csrfToken, demo: demo)
        return Layout.render(
            chrome,
            main: .div(
                .class("login-card"),
                .div(
                    .class("brand large"), .img(.src(SiteRoute.staticFile("icons/cirrus.svg").path), .attr("alt", ""), .width(40), .height(40)),
                    .span(.text("Cirrus"))),
                .h1(.safeText(heading)),
                .p(.class("muted"), .safeText(lead)),
                Alerts.error(error),
                .group(content)
            ))
    }
}

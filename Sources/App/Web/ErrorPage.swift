import Plot

/// What a browser sees when a request fails.
enum ErrorPage {
    static func render(status: Int, reason: String, message: String, signedIn: Bool) -> String {
        let chrome = PageChrome(title: "\(status) \(reason)", section: nil, userEmail: nil, userName: nil, csrfToken: nil, demo: false)
        return Layout.render(
            chrome,
            main: .div(
                .class("login-card"),
                .h1(.safeText("\(status) · \(reason)")),
                .p(.safeText(message)),
                .p(
                    .a(
                        .class("button"), .href(signedIn ? SiteRoute.dashboard.path : SiteRoute.login.path),
                        .text(signedIn ? "Back to the dashboard" : "Go to sign-in")))
            ))
    }
}

import Plot

/// The sign-in page.
enum LoginPage {
    struct Model: Sendable {
        var email: String = ""
        var error: String?
        var next: String?
        var csrfToken: String?
        var demo: Bool
    }

    static func render(_ model: Model) -> String {
        SignedOutCard.render(
            title: "Sign in", heading: "Sign in", lead: "Your knowledge base, fed from the cloud drives your team already uses.", error: model.error,
            csrfToken: model.csrfToken, demo: model.demo,
            .form(
                .action(SiteRoute.login.path), .method(.post),
                CSRFField.node(model.csrfToken),
                .if(model.next != nil, .input(.type(.hidden), .name("next"), .attr("value", model.next ?? ""))),
                .label(.for("email"), .text("Email")),
                .input(
                    .type(.email), .id("email"), .name("email"), .required(true), .autofocus(true),
                    .attr("autocomplete", "username"), .attr("value", model.email)),
                .label(.for("password"), .text("Password")),
                .input(
                    .type(.password), .id("password"), .name("password"), .required(true),
                    .attr("autocomplete", "current-password")),
                .button(.type(.submit), .class("button primary wide"), .text("Sign in"))
            ),
            .if(
                model.demo,
                .p(
                    .class("muted small"),
                    .text(
                        "Demo mode: on first start the server prints a one-time password for the owner account, unless CIRRUS_ADMIN_EMAIL and CIRRUS_ADMIN_PASSWORD are set."
                    ))))
    }
}

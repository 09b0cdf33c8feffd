import Hummingbird
import Plot

/// What an invitation link opens: the address invited, the role, and a form to choose a
/// password and join (no sign-in needed; the link is the proof).
enum InvitationPage {
    struct Model: Sendable {
        let email: String
        let role: UserRole
        var name: String = ""
        let csrfToken: String?
        let demo: Bool
        var error: String? = nil
    }

    static func page(_ model: Model, status: HTTPResponse.Status = .ok) -> HTMLResponse {
        HTMLResponse(status: status, html: render(model))
    }

    static func render(_ model: Model) -> String {
        SignedOutCard.render(
            title: "Join Cirrus", heading: "Join the workspace", lead: "You were invited as \(model.role.rawValue) with the address \(model.email).",
            error: model.error, csrfToken: model.csrfToken, demo: model.demo,
            .form(
                .method(.post),
                CSRFField.node(model.csrfToken),
                .label(.for("name"), .text("Your name")),
                .input(.type(.text), .id("name"), .name("name"), .attr("maxlength", "100"), .attr("value", model.name), .attr("autocomplete", "name")),
                .label(.for("password"), .text("Choose a password (at least 10 characters)")),
                .input(
                    .type(.password), .id("password"), .name("password"), .required(true), .attr("minlength", "10"),
                    .attr("autocomplete", "new-password")),
                .label(.for("confirm-password"), .text("The password again")),
                .input(
                    .type(.password), .id("confirm-password"), .name("confirmPassword"), .required(true), .attr("minlength", "10"),
                    .attr("autocomplete", "new-password")),
                .button(.type(.submit), .class("button primary wide"), .text("Join"))
            ))
    }
}

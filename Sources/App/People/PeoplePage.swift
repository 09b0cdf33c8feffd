import Foundation
import Plot

/// `/admin/people`: who is in the workspace with their roles, the form that invites someone
/// (the link shown once, to send them), and the invitations not yet accepted.
enum PeoplePage {
    /// A fixed set of messages after a redirect, so a link cannot put words on the page.
    enum Notice: String, Sendable {
        case roleChanged = "role-changed"
        case removed
        case invitationRevoked = "invitation-revoked"

        var text: String {
            switch self {
            case .roleChanged: "The role was changed."
            case .removed: "They were removed: their sessions, tokens and API keys ended, and their connections were disconnected."
            case .invitationRevoked: "The invitation was revoked; its link no longer works."
            }
        }
    }

    struct Model: Sendable {
        let people: [PeopleService.Person]
        let invitations: [PeopleService.PendingInvitation]
        let issued: PeopleService.IssuedInvitation?
        /// Owners may make owners; admins may not.
        let viewerIsOwner: Bool
        let csrfToken: String?
        let notice: Notice?
        let error: String?
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(
                    .class("lead"),
                    .text(
                        "Owners and admins connect accounts, import and manage the knowledge base; members ask the chatbot and read. Removing someone ends their sessions at once and disconnects their accounts; the documents they imported stay."
                    )),
                Alerts.notice(model.notice?.text),
                Alerts.error(model.error),
                .unwrap(model.issued) { issued in
                    .section(
                        .class("panel"), .id("new-invitation"),
                        .h2(.safeText("Invitation for \(issued.invitation.email)")),
                        Alerts.notice("Send them this link. It works once, for seven days, and is not shown again."),
                        .textarea(
                            .id("invitation-link"), .attr("readonly", "readonly"), .attr("rows", "2"), .attr("aria-label", "Invitation link"),
                            .safeText(issued.link)))
                },
                peopleTable(model),
                inviteForm(model),
                invitationsTable(model)
            ))
    }

    private static func roleOptions(_ model: Model) -> [(value: String, label: String)] {
        (model.viewerIsOwner ? UserRole.allCases : [.admin, .member]).map { ($0.rawValue, $0.rawValue.capitalized) }
    }

    private static func peopleTable(_ model: Model) -> Node<HTML.BodyContext> {
        .section(
            .class("panel"),
            .h2(.text("People")),
            .div(
                .class("table-wrap"),
                .table(
                    .id("people"),
                    .thead(.tr(.th(.text("Name")), .th(.text("Email")), .th(.text("Role")), .th(.text("Joined")), .th(.text("")))),
                    .tbody(
                        .forEach(model.people) { person in
                            // Admins see owners' roles but cannot change them.
                            let editable = model.viewerIsOwner || person.role != .owner
                            return .tr(
                                .data(named: "email", value: person.email),
                                .td(.safeText(person.name + (person.you ? " (you)" : ""))), .td(.safeText(person.email)),
                                .td(
                                    editable
                                        ? .form(
                                            .action(SiteRoute.personRoleForm(person.id).path), .method(.post), .class("inline"),
                                            CSRFField.node(model.csrfToken),
                                            FormFields.select(
                                                id: "role-\(person.id.uuidString)", name: "role", options: roleOptions(model), selected: person.role.rawValue),
                                            .button(.type(.submit), .class("button subtle"), .text("Change")))
                                        : .text(person.role.rawValue.capitalized)),
                                .td(TimeElement.node(person.joinedAt)),
                                .td(
                                    .if(
                                        editable && !person.you,
                                        .form(
                                            .action(SiteRoute.removePersonForm(person.id).path), .method(.post), .class("inline"),
                                            .attr(
                                                "data-confirm",
                                                "Remove \(person.email)? Their sessions and API keys end and their connections are disconnected; their documents stay."
                                            ),
                                            CSRFField.node(model.csrfToken),
                                            .button(.type(.submit), .class("button danger"), .text("Remove")))))
                            )
                        })
                )))
    }

    private static func inviteForm(_ model: Model) -> Node<HTML.BodyContext> {
        .form(
            .class("panel settings-form"), .method(.post), .action(SiteRoute.peoplePage.path), .id("invite"),
            CSRFField.node(model.csrfToken),
            FormFields.fieldset(
                "Invite someone", editable: true,
                .label(.for("invite-email"), .text("Email")),
                .input(.type(.email), .id("invite-email"), .name("email"), .required(true), .attr("autocomplete", "off")),
                .label(.for("invite-role"), .text("Role")),
                FormFields.select(id: "invite-role", name: "role", options: roleOptions(model), selected: UserRole.member.rawValue)),
            .button(.type(.submit), .class("button primary"), .text("Make invitation link"))
        )
    }

    private static func invitationsTable(_ model: Model) -> Node<HTML.BodyContext> {
        guard !model.invitations.isEmpty else { return .empty }
        return .section(
            .class("panel"),
            .h2(.text("Invitations not yet accepted")),
            .div(
                .class("table-wrap"),
                .table(
                    .id("invitations"),
                    .thead(.tr(.th(.text("Email")), .th(.text("Role")), .th(.text("Invited by")), .th(.text("Expires")), .th(.text("")))),
                    .tbody(
                        .forEach(model.invitations) { invitation in
                            .tr(
                                .td(.safeText(invitation.email)), .td(.safeText(invitation.role.rawValue)), .td(.safeText(invitation.invitedBy ?? "—")),
                                .td(invitation.expired ? .span(.class("badge error"), .text("expired")) : TimeElement.node(invitation.expiresAt)),
                                .td(
                                    .form(
                                        .action(SiteRoute.revokeInvitationForm(invitation.id).path), .method(.post), .class("inline"),
                                        CSRFField.node(model.csrfToken),
                                        .button(.type(.submit), .class("button subtle"), .text("Revoke"))))
                            )
                        })
                )))
    }
}

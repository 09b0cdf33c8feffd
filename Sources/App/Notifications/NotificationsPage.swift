import Foundation
import Plot

/// `/admin/notifications`: what needed this person lately, and the kinds they want to be told of.
enum NotificationsPage {
    struct Model: Sendable {
        let items: [NotificationService.Item]
        let muted: Set<NotificationKind>
        let csrfToken: String?
        let saved: Bool
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                Alerts.notice(model.saved ? "Your notification settings are saved." : nil),
                .section(
                    .class("panel"),
                    .h2(.text("Notifications")),
                    model.items.isEmpty
                        ? .p(.class("muted"), .text("Nothing needs you. Failed imports, connections to reconnect and sync errors show up here."))
                        : .ul(
                            .class("notifications"), .id("notifications"),
                            .forEach(model.items) { item in
                                .li(
                                    .class(item.read ? "notification" : "notification unread"), .data(named: "kind", value: item.kind.rawValue),
                                    .div(
                                        .class("notification-head"),
                                        .if(!item.read, .span(.class("badge error"), .text("new"))),
                                        .strong(.safeText(item.title)), .span(.class("muted small"), TimeElement.node(item.createdAt))),
                                    .p(.safeText(item.body)),
                                    .unwrap(item.link) { .a(.href($0), .text("Open")) })
                            })),
                .form(
                    .class("panel settings-form"), .method(.post), .action(SiteRoute.notificationPreferencesForm.path), .id("notification-preferences"),
                    CSRFField.node(model.csrfToken),
                    FormFields.fieldset(
                        "Tell me when", editable: true,
                        .forEach(NotificationKind.allCases) { kind in
                            .div(
                                .class("check"),
                                .input(
                                    .type(.checkbox), .id("notify-\(kind.rawValue)"), .name(kind.rawValue), .attr("value", "on"),
                                    FormFields.checked(!model.muted.contains(kind))),
                                .label(.for("notify-\(kind.rawValue)"), .text(kind.label)))
                        }),
                    .button(.type(.submit), .class("button primary"), .text("Save"))
                )
            ))
    }
}

import Foundation
import Plot

/// `/admin/notifications`: what needed this person lately, and the kinds they want to be told of.
enum NotificationsPage {
    struct Model: Sendable {
        let items: [NotificationService.Item]
        let muted: Set<NotificationKind>
        /// The workspace's webhook, for admins.
        let webhook: Webhook?
        let csrfToken: String?
        let notice: String?
        let error: String?
    }

    struct Webhook: Sendable {
        let settings: WebhookService.Settings
        let deliveries: [WebhookService.DeliveryRow]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                Alerts.notice(model.notice),
                Alerts.error(model.error),
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
                ),
                .unwrap(model.webhook) { webhookSection($0, csrfToken: model.csrfToken) }
            ))
    }

    private static func webhookSection(_ webhook: Webhook, csrfToken: String?) -> Node<HTML.BodyContext> {
        .group(
            .form(
                .class("panel settings-form"), .method(.post), .action(SiteRoute.webhookForm.path), .id("webhook"),
                CSRFField.node(csrfToken),
                FormFields.fieldset(
                    "Workspace webhook", editable: true,
                    .p(
                        .class("muted small"),
                        .text(
                            "Every notification is also posted here as JSON, signed with the secret below (X-Cirrus-Signature). A Slack or Teams incoming webhook shows its text. Leave the address blank to remove it."
                        )),
                    .label(.for("webhook-url"), .text("Address")),
                    .input(
                        .type(.url), .id("webhook-url"), .name("url"), .attr("value", webhook.settings.url ?? ""),
                        .attr("placeholder", "https://hooks.slack.com/services/…")),
                    .div(
                        .class("check"),
                        .input(
                            .type(.checkbox), .id("webhook-enabled"), .name("enabled"), .attr("value", "true"),
                            FormFields.checked(webhook.settings.enabled || webhook.settings.url == nil)),
                        .label(.for("webhook-enabled"), .text("Switched on"))),
                    .unwrap(webhook.settings.secret) { secret in
                        .group(
                            .label(.for("webhook-secret"), .text("Signing secret")),
                            .input(.type(.text), .id("webhook-secret"), .attr("readonly", "readonly"), .attr("value", secret)))
                    }),
                .button(.type(.submit), .class("button primary"), .text("Save webhook"))),
            .if(
                !webhook.deliveries.isEmpty,
                .section(
                    .class("panel"),
                    .h2(.text("Webhook deliveries")),
                    .div(
                        .class("table-wrap"),
                        .table(
                            .id("webhook-deliveries"),
                            .thead(.tr(.th(.text("When")), .th(.text("Kind")), .th(.text("State")), .th(.text("Attempts")), .th(.text("Last answer")))),
                            .tbody(
                                .forEach(webhook.deliveries) { delivery in
                                    .tr(
                                        .td(TimeElement.node(delivery.createdAt)), .td(.safeText(delivery.kind.rawValue)),
                                        .td(.safeText(delivery.state.rawValue)),
                                        .td(.safeText(String(delivery.attempts))),
                                        .td(.safeText(delivery.lastError ?? delivery.lastStatus.map { "HTTP \($0)" } ?? "—")))
                                }))))))
    }
}

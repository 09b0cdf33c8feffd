import Foundation
import Plot

/// The workspace's audit log, newest first.
enum ActivityPage {
    struct Row: Sendable {
        let at: Date
        let actor: String
        let action: String
        let platform: String?
        let detail: String?
        let clientAddress: String?
    }

    struct Model: Sendable {
        let rows: [Row]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(.class("lead"), .text("Sign-ins, connections, imports and deletions in this workspace.")),
                table(model.rows, emptyText: "No activity recorded yet.")
            ))
    }

    static func table(_ rows: [Row], emptyText: String) -> Node<HTML.BodyContext> {
        guard !rows.isEmpty else { return .p(.class("empty"), .text(emptyText)) }
        return .div(
            .class("table-wrap"),
            .table(
                .thead(.tr(.th(.text("When")), .th(.text("Who")), .th(.text("What")), .th(.text("Details")), .th(.text("From")))),
                .tbody(
                    .forEach(rows) { row in
                        .tr(
                            .td(TimeElement.node(row.at)),
                            .td(.safeText(row.actor)),
                            .td(.safeText(actionLabel(row.action))),
                            .td(.safeText([row.platform, row.detail].compactMap { $0 }.joined(separator: " · "))),
                            .td(.safeText(row.clientAddress ?? ""))
                        )
                    })
            ))
    }

    static func actionLabel(_ action: String) -> String {
        switch action {
        case "sign_in": "Signed in"
        case "sign_in_failed": "Failed sign-in"
        case "sign_out": "Signed out"
        case "api_token_issued": "API token issued"
        case "api_token_revoked": "API token revoked"
        case "api_key_created": "API key created"
        case "api_key_revoked": "API key revoked"
        case "person_invited": "Invited someone"
        case "invitation_revoked": "Revoked an invitation"
        case "invitation_accepted": "Joined the workspace"
        case "role_changed": "Changed someone's role"
        case "person_removed": "Removed someone"
        case "webhook_changed": "Changed the notification webhook"
        case "password_changed": "Changed their password"
        case "signed_out_everywhere": "Signed out everywhere"
        case "user_created": "User created"
        case "keys_rotated": "Encryption keys rotated"
        case "integration_connected": "Connected an account"
        case "integration_reconnected": "Reconnected an account"
        case "integration_disconnected": "Disconnected an account"
        case "integration_connect_failed": "Connection failed"
        case "token_refresh_failed": "Token refresh failed"
        case "confluence_site_chosen": "Chose a Confluence site"
        case "source_created": "Started syncing a source"
        case "source_changed": "Changed a synced source"
        case "source_synced": "Synced changes from a source"
        case "source_deleted": "Stopped syncing a source"
        case "chatbot_changed": "Changed the chatbot's settings"
        case "widget_changed": "Changed the website widget"
        default: action.replacingOccurrences(of: "_", with: " ").capitalized
        }
    }
}

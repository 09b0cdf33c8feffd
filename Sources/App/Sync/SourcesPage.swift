import CirrusCore
import Foundation
import Plot

/// `/admin/sources`: what is kept in sync with each provider, when it last ran and will run
/// next, what it changed, and why it stopped when it did.
enum SourcesPage {
    struct Row: Sendable {
        let id: UUID
        let platform: Platform
        let category: String
        let rootCount: Int
        let documentCount: Int
        let enabled: Bool
        let status: SourcesAPI.SourceDTO.Status
        let intervalSeconds: Int
        let lastRunAt: Date?
        let nextRunAt: Date?
        let lastChanges: SyncChangeCounts?
        let totalChanges: SyncChangeCounts
        let lastError: String?
    }

    struct Model: Sendable {
        let rows: [Row]
        let canManage: Bool
        let csrfToken: String?
        /// How changes reach the server besides polling: push, or why not.
        let delivery: String
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(
            chrome,
            main: .group(
                .p(
                    .class("lead"),
                    .text(
                        "Imported files and folders stay in step with their provider: edits are imported again, renames and moves update the title and link, and files deleted, trashed, moved out or no longer shared leave the knowledge base. Choose “Keep in sync” when importing to add a source."
                    )),
                .p(.class("muted"), .id("sync-delivery"), .text(model.delivery)),
                table(model)
            ))
    }

    private static func when(_ date: Date?) -> Node<HTML.BodyContext> { TimeElement.node(date) }

    private static func table(_ model: Model) -> Node<HTML.BodyContext> {
        guard !model.rows.isEmpty else { return .div(.class("empty"), .p(.text("Nothing is synced yet."))) }
        return .div(
            .class("table-wrap"),
            .table(
                .id("sources"),
                .thead(
                    .tr(
                        .th(.text("Source")), .th(.text("Category")), .th(.text("Documents")), .th(.text("Status")), .th(.text("Last run")),
                        .th(.text("Next run")), .th(.text("Changes applied")),
                        .if(model.canManage, .th(.span(.class("visually-hidden"), .text("Actions"))))
                    )),
                .tbody(.forEach(model.rows) { row(of: $0, model: model) })
            ))
    }

    private static func row(of row: Row, model: Model) -> Node<HTML.TableContext> {
        let status: String =
            switch row.status {
            case .idle: "Every \(interval(row.intervalSeconds))"
            case .running: "Syncing now"
            case .paused: row.enabled ? "Paused" : "Switched off"
            }
        let actions: Node<HTML.BodyContext> = .div(
            .class("row-actions"),
            .form(
                .action(SiteRoute.syncSourceForm(row.id).path), .method(.post), .class("inline"), CSRFField.node(model.csrfToken),
                .button(.type(.submit), .class("button subtle"), .text("Sync now"))),
            .form(
                .action(SiteRoute.toggleSourceForm(row.id).path), .method(.post), .class("inline"), CSRFField.node(model.csrfToken),
                .button(.type(.submit), .class("button subtle"), .text(row.enabled ? "Pause" : "Resume"))),
            .form(
                .action(SiteRoute.deleteSourceForm(row.id).path), .method(.post), .class("inline"),
                .attr("data-confirm", "Stop syncing “\(row.category)” from \(row.platform.displayName)? Its documents stay in the knowledge base."),
                CSRFField.node(model.csrfToken), .input(.type(.hidden), .name("documents"), .value("keep")),
                .button(.type(.submit), .class("button subtle"), .text("Stop, keep documents"))),
            .form(
                .action(SiteRoute.deleteSourceForm(row.id).path), .method(.post), .class("inline"),
                .attr("data-confirm", "Stop syncing “\(row.category)” and remove its \(row.documentCount) documents from the knowledge base?"),
                CSRFField.node(model.csrfToken), .input(.type(.hidden), .name("documents"), .value("remove")),
                .button(.type(.submit), .class("button subtle danger"), .text("Stop and remove documents")))
        )
        return .tr(
            .attr("data-source-id", row.id.uuidString),
            .td(
                .span(
                    .class("source"),
                    .img(.src(SiteRoute.staticFile("icons/\(row.platform.rawValue).svg").path), .attr("alt", ""), .width(16), .height(16)),
                    .safeText("\(row.platform.displayName) · \(row.rootCount) item\(row.rootCount == 1 ? "" : "s") selected"))),
            .td(.safeText(row.category)),
            .td(.text(String(row.documentCount))),
            .td(.safeText(status), .if(row.lastError != nil, .p(.class("error"), .safeText(row.lastError ?? "")))),
            .td(when(row.lastRunAt)),
            .td(row.enabled ? when(row.nextRunAt) : .text("—")),
            .td(
                .safeText("Last: " + (row.lastChanges?.summary ?? "none yet")),
                .br(),
                .span(.class("muted"), .safeText("In all: " + row.totalChanges.summary))),
            .if(model.canManage, .td(actions))
        )
    }

    static func interval(_ seconds: Int) -> String {
        switch seconds {
        case ..<120: "\(seconds) s"
        case ..<7200: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3600) h"
        default: "\(seconds / 86400) days"
        }
    }
}

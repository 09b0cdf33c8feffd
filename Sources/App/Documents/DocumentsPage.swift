import CirrusCore
import Foundation
import Plot

/// The knowledge base's documents, the running imports, and the "Add from Cloud" file picker.
enum DocumentsPage {
    struct Row: Sendable {
        let id: UUID
        let title: String
        let url: String?
        let platform: Platform?
        let source: String
        let category: String
        let chunkCount: Int
        let sizeBytes: Int64
        let importedAt: Date?
        let status: DocumentStatus
        /// "Text by OCR (2 pages, 91 % confidence)" when OCR read some of it.
        var ocrNote: String? = nil

        /// How a document's OCR reads on the page.
        static func ocrNote(pages: Int?, confidence: Int?) -> String? {
            guard let pages, let confidence else { return nil }
            return "Text by OCR (\(pages == 1 ? "1 page" : "\(pages) pages"), \(confidence) % confidence)"
        }
    }

    struct RunningImport: Sendable {
        let id: UUID
        let source: String
        let category: String
        let completed: Int
        let total: Int
    }

    struct Model: Sendable {
        let rows: [Row]
        /// Platforms the user has connected, offered in "Add from Cloud".
        let connected: [Platform]
        let categories: [String]
        let sourceFilter: String?
        let categoryFilter: String?
        let running: [RunningImport]
        let canImport: Bool
        let csrfToken: String?
        let notice: String?
        /// Which page of ``pageSize`` documents this is (1-based), and whether an older one follows.
        var page = 1
        var hasOlder = false

        /// The query string of another page with the same filters.
        func link(toPage page: Int) -> String {
            switch (sourceFilter, categoryFilter) {
            case (let source?, let category?): SiteRoute.documentsPage.with(["source": source, "category": category, "page": String(page)])
            case (let source?, nil): SiteRoute.documentsPage.with(["source": source, "page": String(page)])
            case (nil, let category?): SiteRoute.documentsPage.with(["category": category, "page": String(page)])
            case (nil, nil): SiteRoute.documentsPage.with(["page": String(page)])
            }
        }
    }

    /// Documents shown on one page.
    static let pageSize = 50

    static func render(_ model: Model, chrome: PageChrome) -> String {
        let toolbar = self.toolbar(model)
        let running = self.running(model.running)
        let table = self.table(model)
        let picker = self.picker(model)
        return Layout.render(
            chrome,
            main: .group(
                .if(model.notice != nil, .p(.class("notice"), .attr("role", "status"), .safeText(model.notice ?? ""))),
                toolbar, running, table, picker
            ))
    }

    private static func toolbar(_ model: Model) -> Node<HTML.BodyContext> {
        let sources = Platform.allCases
        let menu: Node<HTML.BodyContext> =
            model.connected.isEmpty
            ? .a(.class("button primary"), .href(SiteRoute.integrationsPage.path), .text("Connect an account to import"))
            : .element(
                named: "details",
                nodes: [
                    .class("menu"),
                    .element(named: "summary", nodes: [.class("button primary"), .text("Add from Cloud")]),
                    .ul(
                        .class("menu-list"),
                        .forEach(model.connected) { platform in
                            .li(
                                .button(
                                    .type(.button), .class("menu-item"), .attr("data-import-platform", platform.rawValue),
                                    .attr("data-import-name", platform.displayName), .attr("data-files-url", SiteRoute.files(platform).path),
                                    .attr("data-import-url", SiteRoute.startImport(platform).path),
                                    .img(.src(SiteRoute.staticFile("icons/\(platform.rawValue).svg").path), .attr("alt", ""), .width(18), .height(18)),
                                    .text("Import from \(platform.displayName)")
                                ))
                        }),
                ])
        return .div(
            .class("toolbar"),
            model.canImport ? menu : .empty,
            .form(
                .class("filters"), .method(.get), .action(SiteRoute.documentsPage.path),
                .label(.class("visually-hidden"), .attr("for", "filter-source"), .text("Source")),
                FormFields.select(
                    id: "filter-source", name: "source", options: [("", "All sources")] + sources.map { ($0.rawValue, $0.displayName) },
                    selected: model.sourceFilter),
                .label(.class("visually-hidden"), .attr("for", "filter-category"), .text("Category")),
                FormFields.select(
                    id: "filter-category", name: "category", options: [("", "All categories")] + model.categories.map { ($0, $0) },
                    selected: model.categoryFilter),
                .button(.type(.submit), .class("button subtle"), .text("Filter"))
            )
        )
    }

    private static func running(_ jobs: [RunningImport]) -> Node<HTML.BodyContext> {
        guard !jobs.isEmpty else { return .empty }
        return .section(
            .class("running"), .attr("aria-label", "Imports in progress"),
            .h2(.text("Importing now")),
            .ul(
                .forEach(jobs) { job in
                    .li(
                        .attr("data-running-import", job.id.uuidString), .attr("data-events-url", SiteRoute.importEvents(job.id).path),
                        .span(.class("spinner"), .attr("aria-hidden", "true")),
                        .safeText("From \(job.source) into “\(job.category)”: "),
                        .span(.class("running-count"), .text("\(job.completed) of \(job.total) complete"))
                    )
                })
        )
    }

    private static func table(_ model: Model) -> Node<HTML.BodyContext> {
        guard !model.rows.isEmpty else {
            return .div(
                .class("empty"), .p(.text(model.sourceFilter != nil || model.categoryFilter != nil ? "No documents match these filters." : "No documents yet."))
            )
        }
        return .div(
            .class("table-wrap"),
            .table(
                .id("documents"),
                .thead(
                    .tr(
                        .th(.text("Title")), .th(.text("Source")), .th(.text("Category")), .th(.text("Chunks")), .th(.text("Size")),
                        .th(.text("Imported")), .th(.text("Status")), .if(model.canImport, .th(.span(.class("visually-hidden"), .text("Actions"))))
                    )),
                .tbody(.forEach(model.rows) { documentRow($0, model: model) })
            ), pager(model))
    }

    private static func pager(_ model: Model) -> Node<HTML.BodyContext> {
        guard model.page > 1 || model.hasOlder else { return .empty }
        return .element(
            named: "nav",
            nodes: [
                .class("pager"), .attr("aria-label", "Pages"),
                .if(model.page > 1, .a(.class("button subtle"), .attr("rel", "prev"), .href(model.link(toPage: model.page - 1)), .text("Newer"))),
                .span(.text("Page \(model.page)")),
                .if(model.hasOlder, .a(.class("button subtle"), .attr("rel", "next"), .href(model.link(toPage: model.page + 1)), .text("Older"))),
            ])
    }

    private static func documentRow(_ row: Row, model: Model) -> Node<HTML.TableContext> {
        let title: Node<HTML.BodyContext> =
            row.url.map { .a(.attr("href", $0), .attr("target", "_blank"), .attr("rel", "noopener"), .safeText(row.title)) } ?? .safeText(row.title)
        let source: Node<HTML.BodyContext> = .span(
            .class("source"),
            .if(
                row.platform != nil,
                .img(.src(SiteRoute.staticFile("icons/\(row.platform?.rawValue ?? "").svg").path), .attr("alt", ""), .width(16), .height(16))),
            .safeText(row.source))
        let actions: Node<HTML.BodyContext> = .div(
            .class("row-actions"),
            .form(
                .action(SiteRoute.reimportForm(row.id).path), .method(.post), .class("inline"),
                CSRFField.node(model.csrfToken),
                .button(.type(.submit), .class("button subtle"), .attr("title", "Fetch the file again; a newer version replaces this one"), .text("Re-import"))
            ),
            .form(
                .action(SiteRoute.deleteDocumentForm(row.id).path), .method(.post), .class("inline"),
                .attr("data-confirm", "Remove “\(row.title)” from the knowledge base?"),
                CSRFField.node(model.csrfToken),
                .button(.type(.submit), .class("button subtle danger"), .text("Delete"))
            )
        )
        return .tr(
            .attr("data-document-title", row.title),
            .td(title), .td(source), .td(.safeText(row.category)), .td(.text(String(row.chunkCount))),
            .td(.safeText(ByteCountFormatter.string(fromByteCount: row.sizeBytes, countStyle: .file))),
            .td(.safeText(row.importedAt?.formatted(date: .abbreviated, time: .shortened) ?? "—")),
            .td(.safeText(row.status.label), .if(row.ocrNote != nil, .div(.class("muted"), .safeText(row.ocrNote ?? "")))),
            .if(model.canImport, .td(actions))
        )
    }

    /// The file picker: a dialog the script fills from the browse API.
    private static func picker(_ model: Model) -> Node<HTML.BodyContext> {
        guard model.canImport, !model.connected.isEmpty else { return .empty }
        let categories = model.categories.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",")
        let browse: Node<HTML.BodyContext> = .div(
            .class("picker-browse"),
            .element(named: "nav", nodes: [.class("breadcrumbs"), .attr("aria-label", "Folder path"), .ol(.id("picker-crumbs"))]),
            .form(
                .id("picker-search"), .class("picker-search"), .attr("role", "search"),
                .label(.class("visually-hidden"), .attr("for", "picker-q"), .text("Search")),
                .input(.type(.search), .id("picker-q"), .name("q"), .placeholder("Search this account")),
                .button(.type(.submit), .class("button subtle"), .text("Search"))
            ),
            .div(
                .class("picker-list"),
                .table(
                    .thead(
                        .tr(
                            .th(.input(.type(.checkbox), .id("picker-all"), .attr("aria-label", "Select all on this page"))),
                            .th(.text("Name")), .th(.text("Type")), .th(.text("Size")), .th(.text("Modified"))
                        )),
                    .tbody(.id("picker-rows"))
                )),
            // Filled by the script when a file's name is chosen: its details and the start of its text.
            .element(
                named: "aside",
                nodes: [
                    .id("picker-preview"), .class("picker-preview"), .attr("hidden", ""), .attr("aria-live", "polite"),
                    .attr("aria-label", "Preview"),
                ]),
            .p(.id("picker-status"), .class("muted"), .attr("role", "status"), .attr("aria-live", "polite")),
            .button(.type(.button), .id("picker-more"), .class("button subtle"), .attr("hidden", ""), .text("Load more")),
            .div(
                .class("picker-footer"),
                .label(.attr("for", "picker-category"), .text("Category")),
                .input(
                    .type(.text), .id("picker-category"), .attr("list", "picker-categories"), .attr("maxlength", "100"),
                    .placeholder("e.g. Product Documentation")),
                .raw(
                    "<datalist id=\"picker-categories\">" + model.categories.map { "<option value=\"\(HTMLEscape.text($0))\"></option>" }.joined()
                        + "</datalist>"),
                .label(
                    .class("checkbox"), .attr("title", "Later edits, renames, moves and deletions at the provider follow; see Synced sources"),
                    .input(.type(.checkbox), .id("picker-sync"), .name("sync"), .attr("checked", "")), .text(" Keep in sync")),
                .p(.id("picker-summary"), .class("summary"), .text("Nothing selected.")),
                .button(.type(.button), .id("picker-import"), .class("button primary"), .attr("disabled", ""), .text("Import Files"))
            )
        )
        let progress: Node<HTML.BodyContext> = .div(
            .class("picker-progress"), .attr("hidden", ""),
            .p(.id("progress-headline"), .class("headline"), .attr("role", "status"), .attr("aria-live", "polite")),
            .ul(.id("progress-items"), .class("progress-items")),
            .p(.id("progress-count"), .class("muted")),
            .button(.type(.button), .id("progress-close"), .class("button primary"), .text("Close"))
        )
        return .element(
            named: "dialog",
            nodes: [
                .id("importer"), .class("importer"), .attr("aria-labelledby", "importer-title"),
                .attr("data-csrf", (model.csrfToken ?? "")), .attr("data-categories", "[\(categories)]"),
                .div(
                    .class("importer-head"),
                    .h2(.id("importer-title"), .text("Import")),
                    .button(.type(.button), .class("button subtle"), .attr("data-close", ""), .attr("aria-label", "Close"), .text("✕"))),
                browse, progress,
            ])
    }
}

import Foundation
import Plot

/// The knowledge base's documents.
enum DocumentsPage {
    struct Row: Sendable {
        let title: String
        let source: String
        let category: String
        let chunkCount: Int
        let sizeBytes: Int64
        let importedAt: Date?
        let status: String
    }

    struct Model: Sendable {
        let rows: [Row]
    }

    static func render(_ model: Model, chrome: PageChrome) -> String {
        Layout.render(chrome, main: .group(
            .p(.class("lead"), .text("Everything the chatbot answers from. Import from a connected account on the Integrations page.")),
            model.rows.isEmpty
                ? .div(.class("empty"), .p(.text("No documents yet.")), .a(.class("button"), .href("/admin/integrations"), .text("Connect an account")))
                : .div(.class("table-wrap"), .table(
                    .thead(.tr(.th(.text("Title")), .th(.text("Source")), .th(.text("Category")), .th(.text("Passages")), .th(.text("Size")), .th(.text("Imported")), .th(.text("Status")))),
                    .tbody(.forEach(model.rows) { row in
                        .tr(
                            .td(.safeText(row.title)), .td(.safeText(row.source)), .td(.safeText(row.category)),
                            .td(.text(String(row.chunkCount))),
                            .td(.safeText(ByteCountFormatter.string(fromByteCount: row.sizeBytes, countStyle: .file))),
                            .td(.safeText(row.importedAt?.formatted(date: .abbreviated, time: .shortened) ?? "—")),
                            .td(.safeText(row.status))
                        )
                    })
                ))
        ))
    }
}

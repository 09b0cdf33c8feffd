import FluentKit
import SQLKit

/// What keeps a folder import from running away: each file appears once in a job (a listing
/// page fetched again after a failure, a folder expanded again after a crash or reached again
/// through a shortcut cannot add a second row), and each item knows how deep below the selected
/// folders it lies. Rows that an earlier version duplicated are folded into the first one.
struct AddExpansionGuardsToImportItems: AsyncMigration {
    var name: String { "AddExpansionGuardsToImportItems" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await database.schema("import_items").field("depth", .int).update()
        try await sql.raw(
            """
            DELETE FROM import_items WHERE id IN (
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (PARTITION BY job_id, source_file_id ORDER BY created_at, id) AS copy
                    FROM import_items
                ) AS numbered WHERE copy > 1)
            """
        ).run()
        try await sql.create(index: "uq_import_items_job_source").unique().on("import_items").column("job_id").column("source_file_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "uq_import_items_job_source").run()
        try await database.schema("import_items").deleteField("depth").update()
    }
}

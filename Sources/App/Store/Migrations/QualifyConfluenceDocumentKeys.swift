import FluentKit
import SQLKit

/// Confluence documents are keyed by site and id (``SourceKey``): page ids are numbered per
/// site. Existing Confluence documents get the site their importer's connection reads; those
/// whose importer has no Confluence connection any more keep the bare id (a re-import of the
/// page finds them by it and adds the site).
struct QualifyConfluenceDocumentKeys: AsyncMigration {
    var name: String { "QualifyConfluenceDocumentKeys" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            UPDATE documents SET source_file_id = (
                SELECT ui.site_id FROM user_integrations ui
                WHERE ui.user_id = documents.imported_by AND ui.platform = 'confluence'
            ) || '/' || source_file_id
            WHERE source_platform = 'confluence' AND source_file_id NOT LIKE '%/%'
              AND EXISTS (
                SELECT 1 FROM user_integrations ui
                WHERE ui.user_id = documents.imported_by AND ui.platform = 'confluence' AND ui.site_id IS NOT NULL
              )
            """
        ).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let position = sql.dialect.name == "sqlite" ? "INSTR" : "STRPOS"
        try await sql.raw(
            """
            UPDATE documents SET source_file_id = SUBSTR(source_file_id, \(unsafeRaw: position)(source_file_id, '/') + 1)
            WHERE source_platform = 'confluence' AND source_file_id LIKE '%/%'
            """
        ).run()
    }
}

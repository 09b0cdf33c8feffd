import FluentKit

/// What a worker needs to pick up an import item on any process: the provider's file record,
/// a lease so a crashed worker's items are taken over, the bytes fetched, and the job's
/// connection to the documents' Confluence site.
struct AddImportItemFileDetails: AsyncMigration {
    var name: String { "AddImportItemFileDetails" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [
        ("file_json", .string), ("claimed_at", .datetime), ("bytes", .int64), ("is_folder", .bool), ("finished_at", .datetime),
    ]

    // One ALTER TABLE per column: SQLite adds a single column per statement.
    func prepare(on database: any Database) async throws {
        for (name, type) in Self.columns {
            try await database.schema("import_items").field(name, type).update()
        }
    }

    func revert(on database: any Database) async throws {
        for (name, _) in Self.columns.reversed() {
            try await database.schema("import_items").deleteField(name).update()
        }
    }
}

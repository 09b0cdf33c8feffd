import FluentKit

struct CreateImportItems: AsyncMigration {
    var name: String { "CreateImportItems" }

    func prepare(on database: any Database) async throws {
        try await database.schema("import_items")
            .id()
            .field("job_id", .uuid, .required, .references("import_jobs", "id", onDelete: .cascade))
            .field("source_file_id", .string, .required)
            .field("name", .string, .required)
            .field("state", .string, .required)
            .field("reason", .string)
            .field("chunk_count", .int, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime)
            .field("document_id", .uuid, .references("documents", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.createIndex("idx_import_items_job_id", on: "import_items", columns: "job_id")
        try await database.createIndex("idx_import_items_state", on: "import_items", columns: "state", "next_attempt_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("import_items").delete()
    }
}

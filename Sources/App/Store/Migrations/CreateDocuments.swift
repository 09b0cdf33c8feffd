import FluentKit

struct CreateDocuments: AsyncMigration {
    var name: String { "CreateDocuments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("documents")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("source_platform", .string, .required)
            .field("source_file_id", .string, .required)
            .field("source_url", .string)
            .field("source_revision", .string)
            .field("category", .string, .required)
            .field("mime_type", .string)
            .field("size_bytes", .int64, .required)
            .field("status", .string, .required)
            .field("chunk_count", .int, .required)
            .field("imported_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id", "source_platform", "source_file_id")
            .create()
        try await database.createIndex("idx_documents_workspace_category", on: "documents", columns: "workspace_id", "category")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("documents").delete()
    }
}

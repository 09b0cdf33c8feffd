import FluentKit

struct CreateChunks: AsyncMigration {
    var name: String { "CreateChunks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("chunks")
            .id()
            .field("document_id", .uuid, .required, .references("documents", "id", onDelete: .cascade))
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("ordinal", .int, .required)
            .field("text", .string, .required)
            .field("heading_path", .string, .required)
            .field("location", .string)
            .field("embedding", .data)
            .field("created_at", .datetime)
            .unique(on: "document_id", "ordinal")
            .create()
        try await database.createIndex("idx_chunks_workspace_id", on: "chunks", columns: "workspace_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("chunks").delete()
    }
}

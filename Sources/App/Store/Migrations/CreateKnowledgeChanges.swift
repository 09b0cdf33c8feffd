import FluentKit

/// The change sequence of the knowledge base: one row per document written or deleted, so
/// every process can bring its in-memory search index up to date by reading the rows after
/// the last one it saw.
struct CreateKnowledgeChanges: AsyncMigration {
    var name: String { "CreateKnowledgeChanges" }

    func prepare(on database: any Database) async throws {
        try await database.schema("knowledge_changes")
            .field("id", .int64, .identifier(auto: true))
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("document_id", .uuid, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("knowledge_changes").delete()
    }
}

import FluentKit

/// Conversations with the chatbot and their turns: each belongs to the person who started it,
/// in their workspace, and goes with them — or to a website visitor of the widget. A turn keeps
/// the asker's rating of its answer.
struct CreateConversations: AsyncMigration {
    var name: String { "CreateConversations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("conversations")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("visitor_id", .string)
            .field("title", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.createIndex("idx_conversations_owner", on: "conversations", columns: "workspace_id", "user_id")
        try await database.schema("conversation_turns")
            .id()
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("question", .string, .required)
            .field("searched_as", .string, .required)
            .field("category", .string)
            .field("answer", .string, .required)
            .field("sources_json", .string, .required)
            .field("declined_code", .string)
            .field("declined_reason", .string)
            .field("rating", .int)
            .field("rating_comment", .string)
            .field("rated_at", .datetime)
            .field("created_at", .datetime)
            .create()
        try await database.createIndex("idx_conversation_turns_conversation", on: "conversation_turns", columns: "conversation_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("conversation_turns").delete()
        try await database.schema("conversations").delete()
    }
}

import FluentKit

/// One chatbot configuration per workspace.
struct CreateChatbotSettings: AsyncMigration {
    var name: String { "CreateChatbotSettings" }

    func prepare(on database: any Database) async throws {
        try await database.schema("chatbot_settings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("greeting", .string, .required)
            .field("categories_json", .string, .required)
            .field("unknown_answer", .string, .required)
            .field("minimum_support", .int, .required)
            .field("answer_style", .string, .required)
            .field("system_prompt", .string)
            .field("contact_url", .string)
            .field("shows_source_links", .bool, .required)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("chatbot_settings").delete()
    }
}

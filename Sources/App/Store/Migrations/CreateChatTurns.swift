import FluentKit

/// Questions asked on the Chat page and their answers, kept per browser session (and gone with it).
struct CreateChatTurns: AsyncMigration {
    var name: String { "CreateChatTurns" }

    func prepare(on database: any Database) async throws {
        try await database.schema("chat_turns")
            .id()
            .field("session_id", .uuid, .required, .references("sessions", "id", onDelete: .cascade))
            .field("question", .string, .required)
            .field("category", .string)
            .field("answer", .string, .required)
            .field("sources_json", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.createIndex("idx_chat_turns_session", on: "chat_turns", columns: "session_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("chat_turns").delete()
    }
}

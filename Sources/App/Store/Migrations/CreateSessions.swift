import FluentKit

struct CreateSessions: AsyncMigration {
    var name: String { "CreateSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("csrf_token", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("client_address", .string)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.createIndex("idx_sessions_user_id", on: "sessions", columns: "user_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sessions").delete()
    }
}

import FluentKit

struct CreateAPITokens: AsyncMigration {
    var name: String { "CreateAPITokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("name", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.createIndex("idx_api_tokens_user_id", on: "api_tokens", columns: "user_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").delete()
    }
}

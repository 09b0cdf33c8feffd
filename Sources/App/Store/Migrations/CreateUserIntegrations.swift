import FluentKit

/// The seed's `user_integrations` table, plus the workspace and a connection status.
struct CreateUserIntegrations: AsyncMigration {
    var name: String { "CreateUserIntegrations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("user_integrations")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("platform", .string, .required)
            .field("access_token", .string, .required)
            .field("refresh_token", .string)
            .field("token_expires_at", .datetime)
            .field("account_email", .string)
            .field("account_name", .string)
            .field("scopes", .array(of: .string), .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "user_id", "platform")
            .create()
        try await database.createIndex("idx_user_integrations_user_id", on: "user_integrations", columns: "user_id")
        try await database.createIndex("idx_user_integrations_platform", on: "user_integrations", columns: "platform")
        try await database.createIndex("idx_user_integrations_expires", on: "user_integrations", columns: "token_expires_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("user_integrations").delete()
    }
}

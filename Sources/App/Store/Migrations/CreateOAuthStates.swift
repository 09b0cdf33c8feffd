import FluentKit

struct CreateOAuthStates: AsyncMigration {
    var name: String { "CreateOAuthStates" }

    func prepare(on database: any Database) async throws {
        try await database.schema("oauth_states")
            .id()
            .field("state_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("platform", .string, .required)
            .field("code_verifier", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "state_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("oauth_states").delete()
    }
}

import FluentKit

/// Keys for integrators, per workspace; a key goes with the admin who made it.
struct CreateAPIKeys: AsyncMigration {
    var name: String { "CreateAPIKeys" }

    func prepare(on database: any Database) async throws {
        try await database.schema("api_keys")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("created_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("scope", .string, .required)
            .field("key_hash", .string, .required)
            .field("key_prefix", .string, .required)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "key_hash")
            .create()
        try await database.createIndex("idx_api_keys_workspace_id", on: "api_keys", columns: "workspace_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_keys").delete()
    }
}

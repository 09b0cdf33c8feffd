import FluentKit

struct CreateUsers: AsyncMigration {
    var name: String { "CreateUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.createIndex("idx_users_workspace_id", on: "users", columns: "workspace_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}

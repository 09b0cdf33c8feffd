import FluentKit

/// One website widget per workspace, found by its public site key.
struct CreateWidgetSettings: AsyncMigration {
    var name: String { "CreateWidgetSettings" }

    func prepare(on database: any Database) async throws {
        try await database.schema("widget_settings")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("site_key", .string, .required)
            .field("enabled", .bool, .required)
            .field("allowed_origins_json", .string, .required)
            .field("colour", .string, .required)
            .field("position", .string, .required)
            .field("launcher_text", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id")
            .unique(on: "site_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("widget_settings").delete()
    }
}

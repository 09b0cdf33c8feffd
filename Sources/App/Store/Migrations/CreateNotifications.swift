import FluentKit

/// In-app notifications per person, and the kinds each person muted.
struct CreateNotifications: AsyncMigration {
    var name: String { "CreateNotifications" }

    func prepare(on database: any Database) async throws {
        try await database.schema("notifications")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("subject", .string, .required)
            .field("read_at", .datetime)
            .field("created_at", .datetime)
            .create()
        try await database.createIndex("idx_notifications_user_id", on: "notifications", columns: "user_id", "created_at")
        try await database.schema("notification_mutes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .unique(on: "user_id", "kind")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notification_mutes").delete()
        try await database.schema("notifications").delete()
    }
}

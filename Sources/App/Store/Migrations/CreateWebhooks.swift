import FluentKit

/// A workspace's outbound webhook and the log of what was posted to it.
struct CreateWebhooks: AsyncMigration {
    var name: String { "CreateWebhooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_endpoints")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("sealed_secret", .string, .required)
            .field("enabled", .bool, .required)
            .field("updated_at", .datetime)
            .unique(on: "workspace_id")
            .create()
        try await database.schema("webhook_deliveries")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("last_status", .int)
            .field("last_error", .string)
            .field("created_at", .datetime)
            .field("delivered_at", .datetime)
            .create()
        try await database.createIndex("idx_webhook_deliveries_due", on: "webhook_deliveries", columns: "state", "next_attempt_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_deliveries").delete()
        try await database.schema("webhook_endpoints").delete()
    }
}

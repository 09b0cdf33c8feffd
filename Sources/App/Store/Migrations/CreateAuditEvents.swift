import FluentKit

struct CreateAuditEvents: AsyncMigration {
    var name: String { "CreateAuditEvents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("workspace_id", .uuid, .references("workspaces", "id", onDelete: .cascade))
            .field("actor_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("actor_email", .string)
            .field("action", .string, .required)
            .field("platform", .string)
            .field("detail", .string)
            .field("client_address", .string)
            .field("created_at", .datetime)
            .create()
        try await database.createIndex("idx_audit_events_workspace_created", on: "audit_events", columns: "workspace_id", "created_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}

import FluentKit

/// Pending invitations to join a workspace; an accepted or revoked one is deleted.
struct CreateInvitations: AsyncMigration {
    var name: String { "CreateInvitations" }

    func prepare(on database: any Database) async throws {
        try await database.schema("invitations")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("token_hash", .string, .required)
            .field("invited_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .unique(on: "workspace_id", "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("invitations").delete()
    }
}

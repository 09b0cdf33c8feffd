import FluentKit

/// Push channels a provider keeps open for a synced source's change feeds: one per feed
/// (`feed`, a key of the source's cursor), renewed before it expires. The channel's token is
/// kept only as a SHA-256 digest: the receiver compares digests, and a copy of the table does
/// not let anyone forge a notification.
struct CreatePushChannels: AsyncMigration {
    var name: String { "CreatePushChannels" }

    func prepare(on database: any Database) async throws {
        try await database.schema("push_channels")
            .id()
            // No foreign key: a channel outlives its source until it is stopped at the provider,
            // which needs the connection it was opened with.
            .field("source_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("workspace_id", .uuid, .required)
            .field("platform", .string, .required)
            .field("feed", .string, .required)
            .field("channel_id", .string)
            .field("resource_id", .string)
            .field("token_digest", .string)
            .field("expires_at", .datetime)
            .field("claimed_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "source_id", "feed")
            .create()
        try await database.createIndex("idx_push_channels_channel", on: "push_channels", columns: "channel_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("push_channels").delete()
    }
}

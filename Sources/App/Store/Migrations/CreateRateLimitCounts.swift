import FluentKit

/// Requests counted per rate-limit key and minute, shared by every server process.
struct CreateRateLimitCounts: AsyncMigration {
    var name: String { "CreateRateLimitCounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("rate_limit_counts")
            .field("bucket", .string, .required)
            .field("window_start", .int64, .required)
            .field("count", .int64, .required)
            .unique(on: "bucket", "window_start")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("rate_limit_counts").delete()
    }
}

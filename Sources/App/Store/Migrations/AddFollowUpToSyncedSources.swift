import FluentKit

/// `synced_sources.follow_up_at`: a second run asked for after a push message, for the change
/// feeds that lag their notifications (Drive's "webhook before data").
struct AddFollowUpToSyncedSources: AsyncMigration {
    var name: String { "AddFollowUpToSyncedSources" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("follow_up_at", .datetime)]

    func prepare(on database: any Database) async throws {
        try await database.addColumns(Self.columns, to: "synced_sources")
    }

    func revert(on database: any Database) async throws {
        try await database.dropColumns(Self.columns, from: "synced_sources")
    }
}

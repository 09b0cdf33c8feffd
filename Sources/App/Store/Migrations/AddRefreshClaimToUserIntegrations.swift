import FluentKit

/// Refresh bookkeeping that lets one process at a time refresh a connection without holding a
/// database connection while the provider answers: a claim (a random id and when it was taken).
struct AddRefreshClaimToUserIntegrations: AsyncMigration {
    var name: String { "AddRefreshClaimToUserIntegrations" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("refresh_claim", .string), ("refresh_claimed_at", .datetime)]

    // One ALTER TABLE per column: SQLite adds a single column per statement.
    func prepare(on database: any Database) async throws {
        for (name, type) in Self.columns {
            try await database.schema("user_integrations").field(name, type).update()
        }
    }

    func revert(on database: any Database) async throws {
        for (name, _) in Self.columns.reversed() {
            try await database.schema("user_integrations").deleteField(name).update()
        }
    }
}

import FluentKit

/// What the connect flow and the token lifecycle need beyond the seed's table: the provider's
/// account id, the Confluence site, and refresh bookkeeping.
struct AddConnectionDetailsToUserIntegrations: AsyncMigration {
    var name: String { "AddConnectionDetailsToUserIntegrations" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [
        ("provider_account_id", .string), ("site_id", .string), ("site_url", .string), ("sites", .string),
        ("last_refreshed_at", .datetime), ("refresh_failed_at", .datetime),
    ]

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

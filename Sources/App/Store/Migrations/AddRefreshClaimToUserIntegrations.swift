import FluentKit

/// Refresh bookkeeping that lets one process at a time refresh a connection without holding a
/// database connection while the provider answers: a claim (a random id and when it was taken).
struct AddRefreshClaimToUserIntegrations: AsyncMigration {
    var name: String { "AddRefreshClaimToUserIntegrations" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("refresh_claim", .string), ("refresh_claimed_at", .datetime)]

    func prepare(on database: any Database) async throws {
        try await database.addColumns(Self.columns, to: "user_integrations")
    }

    func revert(on database: any Database) async throws {
        try await database.dropColumns(Self.columns, from: "user_integrations")
    }
}

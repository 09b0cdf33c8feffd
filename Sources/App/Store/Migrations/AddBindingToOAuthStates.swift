import FluentKit
import SQLKit

/// Binds a pending OAuth flow to whoever started it: the hash of a nonce held in the starting
/// browser's cookie, or the API token a client started it with. A callback must come from the same.
struct AddBindingToOAuthStates: AsyncMigration {
    var name: String { "AddBindingToOAuthStates" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("browser_binding_hash", .string), ("api_token_id", .uuid)]

    func prepare(on database: any Database) async throws {
        try await database.addColumns(Self.columns, to: "oauth_states")
        try await database.createIndex("idx_oauth_states_user_created", on: "oauth_states", columns: "user_id", "created_at")
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.drop(index: "idx_oauth_states_user_created").run() }
        try await database.dropColumns(Self.columns, from: "oauth_states")
    }
}

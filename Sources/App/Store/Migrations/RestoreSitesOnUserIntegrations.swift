import FluentKit
import SQLKit

/// Adds `user_integrations.sites` where it is missing. The column was added to
/// ``AddConnectionDetailsToUserIntegrations`` after that migration had shipped, so a database
/// migrated in between recorded it as done without the column; this repairs such a database and
/// does nothing to any other.
struct RestoreSitesOnUserIntegrations: AsyncMigration {
    var name: String { "RestoreSitesOnUserIntegrations" }

    func prepare(on database: any Database) async throws {
        guard try await !database.hasColumn("sites", in: "user_integrations") else { return }
        try await database.schema("user_integrations").field("sites", .string).update()
    }

    /// Nothing to undo: on databases that had the column, this migration did not add it.
    func revert(on database: any Database) async throws {}
}

extension Database {
    /// Whether `table` has a column named `column`, read from the engine's catalogue.
    func hasColumn(_ column: String, in table: String) async throws -> Bool {
        guard let sql = self as? any SQLDatabase else { return false }
        if sql.dialect.name == "sqlite" {
            let rows = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
            return try rows.contains { try $0.decode(column: "name", as: String.self) == column }
        }
        let rows = try await sql.raw(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(bind: table) AND column_name = \(bind: column)
            """
        ).all()
        return !rows.isEmpty
    }
}

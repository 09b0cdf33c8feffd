import FluentKit

/// `users.must_change_password`: set for the owner created with a generated one-time password,
/// cleared when the user picks their own.
struct AddPasswordChangeToUsers: AsyncMigration {
    var name: String { "AddPasswordChangeToUsers" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("must_change_password", .bool)]

    func prepare(on database: any Database) async throws {
        try await database.addColumns(Self.columns, to: "users")
    }

    func revert(on database: any Database) async throws {
        try await database.dropColumns(Self.columns, from: "users")
    }
}

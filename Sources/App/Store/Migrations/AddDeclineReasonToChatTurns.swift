import FluentKit

/// `chat_turns.declined_reason`: why an answer was "I don't know", shown to admins beside it.
struct AddDeclineReasonToChatTurns: AsyncMigration {
    var name: String { "AddDeclineReasonToChatTurns" }

    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [("declined_reason", .string)]

    func prepare(on database: any Database) async throws {
        try await database.addColumns(Self.columns, to: "chat_turns")
    }

    func revert(on database: any Database) async throws {
        try await database.dropColumns(Self.columns, from: "chat_turns")
    }
}

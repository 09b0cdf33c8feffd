import FluentKit

/// The Chat page keeps conversations now (``CreateConversations``); its old per-session history
/// of the last ten questions goes.
struct DropChatTurns: AsyncMigration {
    var name: String { "DropChatTurns" }

    func prepare(on database: any Database) async throws {
        try await database.schema("chat_turns").delete()
    }

    func revert(on database: any Database) async throws {
        try await CreateChatTurns().prepare(on: database)
        try await AddDeclineReasonToChatTurns().prepare(on: database)
    }
}

import FluentKit
import Foundation

/// One question asked on the Chat page, with the answer and sources shown, for the session's history.
final class ChatTurn: Model, @unchecked Sendable {
    static let schema = "chat_turns"

    @ID(key: .id) var id: UUID?
    @Parent(key: "session_id") var session: BrowserSession
    @Field(key: "question") var question: String
    @OptionalField(key: "category") var category: String?
    @Field(key: "answer") var answer: String
    /// The sources as the chat API returns them (JSON).
    @Field(key: "sources_json") var sourcesJSON: String
    /// Why the answer was "I don't know" (for admins), or nil.
    @OptionalField(key: "declined_reason") var declinedReason: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

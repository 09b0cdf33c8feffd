import FluentKit
import Foundation

/// A conversation with the chatbot, owned by the person who started it or, through the
/// website widget, by an anonymous visitor (`visitorID`, from their visitor token).
final class Conversation: Model, @unchecked Sendable {
    static let schema = "conversations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @OptionalParent(key: "user_id") var user: User?
    @OptionalField(key: "visitor_id") var visitorID: String?
    @Field(key: "title") var title: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// One question of a conversation with its answer, as shown and as searched.
final class ConversationTurn: Model, @unchecked Sendable {
    static let schema = "conversation_turns"

    @ID(key: .id) var id: UUID?
    @Parent(key: "conversation_id") var conversation: Conversation
    @Field(key: "question") var question: String
    /// The question made standalone from the conversation, as retrieval saw it.
    @Field(key: "searched_as") var searchedAs: String
    /// The category the question was asked in, if one was chosen.
    @OptionalField(key: "category") var category: String?
    @Field(key: "answer") var answer: String
    /// The sources as the chat API returns them (JSON).
    @Field(key: "sources_json") var sourcesJSON: String
    @OptionalField(key: "declined_code") var declinedCode: String?
    @OptionalField(key: "declined_reason") var declinedReason: String?
    /// The asker's verdict on the answer: 1 helpful, -1 not, nil unrated; with an optional comment.
    @OptionalField(key: "rating") var rating: Int?
    @OptionalField(key: "rating_comment") var ratingComment: String?
    @OptionalField(key: "rated_at") var ratedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

import FluentKit
import Foundation

/// Where a question was asked.
enum QuestionChannel: String, Codable, Sendable, CaseIterable {
    /// The admin Chat page.
    case chatPage = "chat_page"
    /// `POST /api/v1/chat`.
    case api
    /// A conversation of the API.
    case conversation
    /// The website widget.
    case widget
}

/// Every question the chatbot was asked, wherever, and whether it answered: what Insights counts.
final class AskedQuestion: Model, @unchecked Sendable {
    static let schema = "asked_questions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Enum(key: "channel") var channel: QuestionChannel
    @Field(key: "question") var question: String
    @Field(key: "answered") var answered: Bool
    /// Why it was "I don't know" (``DeclineReason/code``).
    @OptionalField(key: "declined_code") var declinedCode: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(workspaceID: UUID, channel: QuestionChannel, question: String, declinedCode: String?) {
        self.$workspace.id = workspaceID
        self.channel = channel
        self.question = question
        self.answered = declinedCode == nil
        self.declinedCode = declinedCode
    }
}

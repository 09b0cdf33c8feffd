import FluentKit
import Foundation

/// A workspace's chatbot as its admins configured it (the seed's "Chatbot Config"); a
/// workspace without a row uses ``ChatbotProfile/defaults(caution:)``.
final class ChatbotSettings: Model, @unchecked Sendable {
    static let schema = "chatbot_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "name") var name: String
    @Field(key: "greeting") var greeting: String
    /// The categories it answers from, as a JSON array; empty for all.
    @Field(key: "categories_json") var categoriesJSON: String
    @Field(key: "unknown_answer") var unknownAnswer: String
    /// Percent of support an answer needs.
    @Field(key: "minimum_support") var minimumSupport: Int
    @Enum(key: "answer_style") var answerStyle: AnswerStyle
    @OptionalField(key: "system_prompt") var systemPrompt: String?
    @OptionalField(key: "contact_url") var contactURL: String?
    @Field(key: "shows_source_links") var showsSourceLinks: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

import CirrusCore
import Foundation
import Hummingbird

/// `/api/v1/chatbot` (admins): `GET` the chatbot's settings, `PATCH` some of them
/// (``ChatbotChange``: the fields given change, the others stay).
struct ChatbotAPI {
    let chatbot: ChatbotService

    /// The settings as the API shows them.
    struct SettingsDTO: ResponseEncodable, Decodable, Equatable {
        let name: String
        let greeting: String
        let categories: [String]
        let unknownAnswer: String
        let minimumSupport: Int
        let answerStyle: AnswerStyle
        let systemPrompt: String?
        let contactUrl: String?
        let showsSourceLinks: Bool

        init(_ profile: ChatbotProfile) {
            name = profile.name
            greeting = profile.greeting
            categories = profile.categories
            unknownAnswer = profile.unknownAnswer
            minimumSupport = profile.minimumSupport
            answerStyle = profile.answerStyle
            systemPrompt = profile.systemPrompt
            contactUrl = profile.contactURL
            showsSourceLinks = profile.showsSourceLinks
        }
    }

    func addRoutes(to admin: RouterGroup<AdminContext>) {
        admin.get(SiteRoute.chatbot.pattern) { _, context -> SettingsDTO in
            SettingsDTO(try await chatbot.profile(for: context.identity.workspaceID))
        }
        admin.patch(SiteRoute.chatbot.pattern) { request, context -> SettingsDTO in
            let change = try await request.decode(as: ChatbotChange.self, context: context)
            return SettingsDTO(try await chatbot.update(change, by: context.identity, clientAddress: context.clientAddress))
        }
    }
}

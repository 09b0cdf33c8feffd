import CirrusCore
import Foundation
import Hummingbird

/// `/api/v1/chatbot` (admins): `GET` the chatbot's settings (``ChatbotProfile`` as JSON), `PATCH`
/// some of them (``ChatbotChange``: the fields given change, the others stay).
struct ChatbotAPI {
    let chatbot: ChatbotService

    func addRoutes(to admin: RouterGroup<AdminContext>) {
        admin.get(SiteRoute.chatbot.pattern) { _, context -> ChatbotProfile in
            try await chatbot.profile(for: context.identity.workspaceID)
        }
        admin.patch(SiteRoute.chatbot.pattern) { request, context -> ChatbotProfile in
            let change = try await request.decode(as: ChatbotChange.self, context: context)
            return try await chatbot.update(change, by: context.identity, clientAddress: context.clientAddress)
        }
    }
}

extension ChatbotProfile: ResponseEncodable {}

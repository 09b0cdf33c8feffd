import CirrusCore
import Foundation
import Hummingbird

/// The chatbot's settings page: everyone signed in reads it, admins change it.
struct ChatbotController {
    let chatbot: ChatbotService
    let documents: DocumentService
    let languageModel: Bool
    let chrome: PageChrome.Factory

    /// The form as a browser posts it: every field present, an unticked box absent.
    struct Form: Decodable {
        let name: String
        let greeting: String?
        let categories: [String]?
        let unknownAnswer: String
        let minimumSupport: String
        let answerStyle: String?
        let systemPrompt: String?
        let contactUrl: String?
        let showsSourceLinks: String?

        var change: ChatbotChange {
            get throws {
                guard let support = Int(minimumSupport.trimmingCharacters(in: .whitespaces)) else {
                    throw ChatbotError.invalid(field: "minimumSupport", reason: "a percentage from 0 to 100")
                }
                let style = try answerStyle.map { raw in
                    guard let style = AnswerStyle(rawValue: raw) else { throw ChatbotError.invalid(field: "answerStyle", reason: "quoted or written") }
                    return style
                }
                return ChatbotChange(
                    name: name, greeting: greeting ?? "", categories: categories ?? [], unknownAnswer: unknownAnswer, minimumSupport: support,
                    answerStyle: style, systemPrompt: systemPrompt ?? "", contactUrl: contactUrl ?? "", showsSourceLinks: showsSourceLinks == "true")
            }
        }
    }

    func addRoutes(pages: RouterGroup<SignedInContext>, adminPages: RouterGroup<AdminContext>) {
        pages.get(SiteRoute.chatbotPage.pattern) { request, context -> HTMLResponse in
            let saved = request.uri.queryParameters["saved"] != nil
            return try await page(context.identity, notice: saved ? "The chatbot's settings are saved." : nil)
        }
        adminPages.post(SiteRoute.chatbotPage.pattern) { request, context -> Response in
            do {
                let form = try await request.decode(as: Form.self, context: context)
                try await chatbot.update(try form.change, by: context.identity, clientAddress: context.clientAddress)
            } catch let error as ChatbotError {
                var response = try await page(context.identity, error: error.safeMessage).response(from: request, context: context)
                response.status = .badRequest
                return response
            }
            return .redirect(to: SiteRoute.chatbotPage.with(["saved": "1"]), type: .normal)
        }
    }

    private func page(_ identity: Identity, notice: String? = nil, error: String? = nil) async throws -> HTMLResponse {
        let model = ChatbotPage.Model(
            profile: try await chatbot.profile(for: identity.workspaceID), categories: try await documents.categories(in: identity.workspaceID),
            canEdit: identity.canAdminister, languageModel: languageModel, csrfToken: identity.csrfToken, notice: notice, error: error)
        return HTMLResponse(html: ChatbotPage.render(model, chrome: chrome("Chatbot", .chatbot, identity)))
    }
}

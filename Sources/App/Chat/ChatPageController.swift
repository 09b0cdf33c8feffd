import Foundation
import Hummingbird
import Knowledge

/// The Chat page: ask (a form post, or the page's script streaming the answer), and the
/// session's last questions with their answers.
struct ChatPageController {
    let chat: ChatService
    let history: ChatHistory
    let documents: DocumentService
    let chrome: PageChrome.Factory

    func addRoutes(to pages: RouterGroup<SignedInContext>) {
        pages.get(SiteRoute.chatPage.pattern) { request, context in try await page(request, context) }
        pages.post(SiteRoute.chatPage.pattern) { request, context -> Response in
            let identity = context.identity
            let sessionID = try Self.sessionID(identity)
            let form = try await request.decode(as: ChatQuestion.self, context: context)
            let question: String
            let answer: Answer
            do {
                question = try form.validated()
                let profile = try await chat.chatbot.profile(for: identity.workspaceID)
                answer = try await chat.answer(question, workspaceID: identity.workspaceID, filter: form.filter, profile: profile, channel: .chatPage)
            } catch let error as ChatError {
                return try await page(request, context, notice: error.safeMessage).response(from: request, context: context)
            }
            try await history.save(
                question: question, category: form.filter.category, answer: answer.text,
                sources: answer.citations.map(ChatPage.Source.init), declined: answer.declined, sessionID: sessionID)
            let target = form.filter.category.map { SiteRoute.chatPage.with(["category": $0]) } ?? SiteRoute.chatPage.path
            return .redirect(to: target, type: .normal)
        }
        // The page's script asks here to show the answer as it is written (Server-Sent Events:
        // `sources`, `delta`…, `done`); the turn is kept in the session's history at the end.
        pages.post(SiteRoute.chatStream.pattern) { request, context -> Response in
            let identity = context.identity
            let sessionID = try Self.sessionID(identity)
            let body = try await request.decode(as: ChatQuestion.self, context: context)
            let question = try body.validated()
            let category = body.filter.category
            let profile = try await chat.chatbot.profile(for: identity.workspaceID)
            let events = try await chat.stream(question, workspaceID: identity.workspaceID, filter: body.filter, profile: profile, channel: .chatPage)
            return AnswerStream.response(
                events, sources: { $0.map(ChatPage.Source.init) }, showsReason: identity.canAdminister, contactURL: profile.contactURL
            ) {
                answer, citations, declined in
                try await history.save(
                    question: question, category: category, answer: answer, sources: citations.map(ChatPage.Source.init), declined: declined,
                    sessionID: sessionID)
            }
        }
    }

    /// The history belongs to a browser session; pages are never asked with a bearer token.
    private static func sessionID(_ identity: Identity) throws -> UUID {
        guard case .session(let sessionID, _) = identity.method else { throw AuthError.forbidden }
        return sessionID
    }

    func page(_ request: Request, _ context: SignedInContext, notice: String? = nil) async throws -> HTMLResponse {
        let identity = context.identity
        var turns: [ChatPage.Turn] = []
        if case .session(let sessionID, _) = identity.method { turns = try await history.turns(of: sessionID) }
        let profile = try await chat.chatbot.profile(for: identity.workspaceID)
        // Only the categories the chatbot answers from are offered.
        let categories = try await documents.categories(in: identity.workspaceID).filter { profile.categories.isEmpty || profile.categories.contains($0) }
        let model = ChatPage.Model(
            documentCount: try await documents.documentCount(in: identity.workspaceID), categories: categories,
            selectedCategory: request.uri.queryParameters["category"].map(String.init) ?? turns.first?.category,
            csrfToken: identity.csrfToken, turns: turns, notice: notice, showsReasons: identity.canAdminister, chatbotName: profile.name,
            greeting: profile.greeting, contactURL: profile.contactURL)
        return HTMLResponse(html: ChatPage.render(model, chrome: chrome("Chat", .chat, identity)))
    }
}

import Foundation
import Hummingbird
import Knowledge

/// The Chat page: the signed-in person's conversations with the chatbot. Ask (a form post, or
/// the page's script streaming the answer) in the open conversation — a follow-up is understood
/// from its turns — rate an answer, start a new conversation, reopen or delete one.
struct ChatPageController {
    let conversations: ConversationService
    let documents: DocumentService
    let chrome: PageChrome.Factory

    /// A question as the page's form (or its script, as JSON) sends it.
    struct Ask: Decodable {
        let question: String
        let category: String?
        /// The open conversation; blank or absent starts one.
        let conversation: String?

        var chat: ChatQuestion { ChatQuestion(question: question, category: category, source: nil) }
    }

    struct Rate: Decodable {
        let conversation: String
        let rating: Rating
        let comment: String?
    }

    func addRoutes(to pages: RouterGroup<SignedInContext>) {
        pages.get(SiteRoute.chatPage.pattern) { request, context in try await page(request, context) }
        pages.post(SiteRoute.chatPage.pattern) { request, context -> Response in
            let owner = ConversationOwner(context.identity)
            let form = try await request.decode(as: Ask.self, context: context)
            let conversation: Conversation
            do {
                let question = try form.chat.validated()
                conversation = try await open(form.conversation, for: owner)
                let profile = try await conversations.chat.chatbot.profile(for: owner.workspaceID)
                _ = try await conversations.ask(question, filter: form.chat.filter, in: conversation, profile: profile, channel: .chatPage)
            } catch let error as ChatError {
                return try await page(request, context, notice: error.safeMessage).response(from: request, context: context)
            }
            let id = try conversation.requireID().uuidString
            let target = form.chat.filter.category.map { SiteRoute.chatPage.with(["conversation": id, "category": $0]) }
            return .redirect(to: target ?? SiteRoute.chatPage.with(["conversation": id]), type: .normal)
        }
        // The page's script asks here to show the answer as it is written (Server-Sent Events:
        // `sources`, `delta`…, `done` with where the turn was kept).
        pages.post(SiteRoute.chatStream.pattern) { request, context -> Response in
            let identity = context.identity
            let body = try await request.decode(as: Ask.self, context: context)
            let question = try body.chat.validated()
            let conversation = try await open(body.conversation, for: ConversationOwner(identity))
            let profile = try await conversations.chat.chatbot.profile(for: identity.workspaceID)
            let (events, keep) = try await conversations.stream(question, filter: body.chat.filter, in: conversation, profile: profile, channel: .chatPage)
            return AnswerStream.response(
                events, sources: { $0.map(ChatPage.Source.init) }, showsReason: identity.canAdminister, contactURL: profile.contactURL, finished: keep)
        }
        pages.post(SiteRoute.rateTurnForm(nil).pattern) { request, context -> Response in
            let form = try await request.decode(as: Rate.self, context: context)
            guard let conversationID = UUID(uuidString: form.conversation) else { throw ConversationError.notFound }
            let conversation = try await conversations.find(conversationID, of: ConversationOwner(context.identity))
            let turnID = try context.idParameter(orThrow: ConversationError.turnNotFound)
            try await conversations.rate(turnID, in: conversation, form.rating, comment: form.comment)
            return .redirect(to: SiteRoute.chatPage.with(["conversation": conversationID.uuidString]) + "#\(ChatPage.anchor(turnID))", type: .normal)
        }
        pages.post(SiteRoute.deleteConversationForm(nil).pattern) { _, context -> Response in
            try await conversations.delete(try context.idParameter(orThrow: ConversationError.notFound), of: ConversationOwner(context.identity))
            return .redirect(to: SiteRoute.chatPage.with(["new": "1"]), type: .normal)
        }
    }

    /// The conversation a question goes to: the one named, else a new one.
    private func open(_ id: String?, for owner: ConversationOwner) async throws -> Conversation {
        if let id = id.flatMap(UUID.init(uuidString:)) { return try await conversations.find(id, of: owner) }
        return try await conversations.create(title: nil, for: owner)
    }

    func page(_ request: Request, _ context: SignedInContext, notice: String? = nil) async throws -> HTMLResponse {
        let identity = context.identity
        let owner = ConversationOwner(identity)
        let query = request.uri.queryParameters
        let list = try await conversations.list(of: owner)
        // The conversation named, else (unless a new one is asked for) the latest.
        let named = query["conversation"].flatMap { UUID(uuidString: String($0)) }
        let current = query["new"] != nil ? nil : named.map { id in list.first { $0.id == id } } ?? list.first
        var turns: [ConversationTurn] = []
        if let current { turns = try await conversations.turns(of: current) }
        let profile = try await conversations.chat.chatbot.profile(for: identity.workspaceID)
        // Only the categories the chatbot answers from are offered.
        let categories = try await documents.categories(in: identity.workspaceID).filter { profile.categories.isEmpty || profile.categories.contains($0) }
        let model = ChatPage.Model(
            documentCount: try await documents.documentCount(in: identity.workspaceID), categories: categories,
            selectedCategory: query["category"].map(String.init) ?? turns.last?.category, csrfToken: identity.csrfToken,
            conversationID: current?.id, conversations: list.prefix(20).map { ChatPage.ConversationLink(id: $0.id ?? UUID(), title: $0.title) },
            turns: turns.reversed().map(ChatPage.Turn.init), notice: notice, showsReasons: identity.canAdminister, chatbotName: profile.name,
            greeting: profile.greeting, contactURL: profile.contactURL)
        return HTMLResponse(html: ChatPage.render(model, chrome: chrome("Chat", .chat, identity)))
    }
}

import FluentKit
import Foundation
import Hummingbird
import Knowledge

/// The Chat page: ask (a form post, or the page's script streaming the answer), and the
/// session's last questions with their answers.
struct ChatPageController {
    let deps: Dependencies

    /// Questions kept per browser session.
    static let historyLength = 10

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("chat") { request, context in try await page(request, context) }
        group.post("chat") { request, context -> Response in
            let identity = try context.requireIdentity()
            let sessionID = try Self.sessionID(identity)
            let form = try await request.decode(as: ChatAPI.ChatRequest.self, context: context)
            let question: String
            let answer: Answer
            do {
                question = try ChatAPI.validated(form.question)
                answer = try await ChatService(deps: deps).answer(question, workspaceID: identity.workspaceID, filter: form.filter)
            } catch let error as ChatError {
                return try await page(request, context, notice: error.safeMessage).response(from: request, context: context)
            }
            try await saveTurn(
                question: question, category: form.filter.category, answer: answer.text,
                sources: answer.citations.map(ChatPage.Source.init), sessionID: sessionID)
            let query = form.filter.category.map { "?category=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? ""
            return .redirect(to: "/admin/chat\(query)", type: .normal)
        }
        // The page's script asks here to show the answer as it is written (Server-Sent Events:
        // `sources`, `delta`…, `done`); the turn is kept in the session's history at the end.
        group.post("chat/stream") { request, context -> Response in
            let identity = try context.requireIdentity()
            let sessionID = try Self.sessionID(identity)
            let body = try await request.decode(as: ChatAPI.ChatRequest.self, context: context)
            let question = try ChatAPI.validated(body.question)
            let category = body.filter.category
            let events = try await ChatService(deps: deps).stream(question, workspaceID: identity.workspaceID, filter: body.filter)
            return ChatAPI.eventStream(events, sources: { $0.map(ChatPage.Source.init) }) { answer, citations in
                try await saveTurn(question: question, category: category, answer: answer, sources: citations.map(ChatPage.Source.init), sessionID: sessionID)
            }
        }
    }

    /// The history belongs to a browser session; pages are never asked with a bearer token.
    private static func sessionID(_ identity: Identity) throws -> UUID {
        guard case .session(let sessionID, _) = identity.method else { throw AuthError.forbidden }
        return sessionID
    }

    func page(_ request: Request, _ context: AppRequestContext, notice: String? = nil) async throws -> HTMLResponse {
        let identity = try context.requireIdentity()
        let database = deps.store.database
        let count = try await KnowledgeDocument.query(on: database).filter(\.$workspace.$id == identity.workspaceID).count()
        var turns: [ChatPage.Turn] = []
        if case .session(let sessionID, _) = identity.method {
            turns = try await ChatTurn.query(on: database).filter(\.$session.$id == sessionID)
                .sort(\.$createdAt, .descending).limit(Self.historyLength).all()
                .map { turn in
                    ChatPage.Turn(
                        id: turn.id ?? UUID(), question: turn.question, category: turn.category, answer: turn.answer,
                        sources: (try? JSONDecoder().decode([ChatPage.Source].self, from: Data(turn.sourcesJSON.utf8))) ?? [])
                }
        }
        let model = ChatPage.Model(
            documentCount: count, categories: try await DocumentsAPI.categories(database, workspace: identity.workspaceID),
            selectedCategory: request.uri.queryParameters["category"].map(String.init) ?? turns.first?.category,
            csrfToken: identity.csrfToken, turns: turns, notice: notice)
        return HTMLResponse(html: ChatPage.render(model, chrome: deps.chrome("Chat", .chat, identity)))
    }

    /// Keeps a question and its answer in the session's history (the latest ``historyLength``).
    func saveTurn(question: String, category: String?, answer: String, sources: [ChatPage.Source], sessionID: UUID) async throws {
        let turn = ChatTurn()
        turn.$session.id = sessionID
        turn.question = question
        turn.category = category
        turn.answer = answer
        turn.sourcesJSON = String(decoding: try JSONEncoder().encode(sources), as: UTF8.self)
        let database = deps.store.database
        try await turn.create(on: database)
        let all = try await ChatTurn.query(on: database).filter(\.$session.$id == sessionID).sort(\.$createdAt, .descending).all()
        for stale in all.dropFirst(Self.historyLength) { try await stale.delete(on: database) }
    }
}

import CirrusCore
import Foundation
import Hummingbird
import Knowledge

/// `/api/v1/conversations`: chats that keep their turns. `POST` starts one (`{title?}`), `GET`
/// lists the caller's; `GET /{id}` reads one with its turns, `DELETE /{id}` removes it;
/// `POST /{id}/messages {question, category?, source?}` asks in it — a follow-up is made
/// standalone from the turns before — as JSON or, with `Accept: text/event-stream`, as the chat's events.
struct ConversationsAPI {
    let conversations: ConversationService

    struct Create: Decodable {
        let title: String?
    }

    struct TurnDTO: Codable, Equatable {
        let id: UUID
        let question: String
        /// The question made standalone from the conversation, as it was searched.
        let searchedAs: String
        let answer: String
        var sources: [ChatAPI.SourceDTO]
        let declined: DeclinedDTO?
        /// The asker's rating, `up` or `down`, once given.
        let rating: Rating?
        let createdAt: Date?

        init(_ turn: ConversationTurn, showsReason: Bool, contactURL: String?) {
            id = turn.id ?? UUID()
            question = turn.question
            searchedAs = turn.searchedAs
            answer = turn.answer
            sources = turn.sources
            declined = turn.declinedCode.map { DeclinedDTO(code: $0, reason: showsReason ? turn.declinedReason : nil, contactURL: contactURL) }
            rating = turn.verdict
            createdAt = turn.createdAt
        }
    }

    struct ConversationDTO: ResponseEncodable, Decodable {
        let id: UUID
        let title: String
        let createdAt: Date?
        let updatedAt: Date?
        /// Absent in lists.
        let turns: [TurnDTO]?

        init(_ conversation: Conversation, turns: [TurnDTO]?) {
            id = conversation.id ?? UUID()
            title = conversation.title
            createdAt = conversation.createdAt
            updatedAt = conversation.updatedAt
            self.turns = turns
        }
    }

    struct ListResponse: ResponseEncodable, Decodable {
        let conversations: [ConversationDTO]
    }

    struct DeleteResponse: ResponseEncodable {
        let success: Bool
    }

    /// A rating of one answer: thumbs up or down, and what was wrong or right, in words.
    struct Feedback: Decodable {
        let rating: Rating
        let comment: String?
    }

    func addRoutes(to signedIn: RouterGroup<SignedInContext>) {
        signedIn.post(SiteRoute.turnFeedback(nil, nil).pattern) { request, context -> Response in
            let conversation = try await conversations.find(
                try context.idParameter(orThrow: ConversationError.notFound), of: ConversationOwner(context.identity))
            guard let turnID = context.parameters.get("turn").flatMap(UUID.init(uuidString:)) else { throw ConversationError.turnNotFound }
            let feedback = try await request.decode(as: Feedback.self, context: context)
            try await conversations.rate(turnID, in: conversation, feedback.rating, comment: feedback.comment)
            return Response(status: .noContent)
        }
        signedIn.post(SiteRoute.conversations.pattern) { request, context -> EditedResponse<ConversationDTO> in
            let body = try await request.decode(as: Create.self, context: context)
            let conversation = try await conversations.create(title: body.title, for: ConversationOwner(context.identity))
            return EditedResponse(status: .created, response: ConversationDTO(conversation, turns: []))
        }
        signedIn.get(SiteRoute.conversations.pattern) { _, context -> ListResponse in
            ListResponse(conversations: try await conversations.list(of: ConversationOwner(context.identity)).map { ConversationDTO($0, turns: nil) })
        }
        signedIn.get(SiteRoute.conversation(nil).pattern) { _, context -> ConversationDTO in
            let conversation = try await conversations.find(
                try context.idParameter(orThrow: ConversationError.notFound), of: ConversationOwner(context.identity))
            let contact = try await conversations.chat.chatbot.profile(for: context.identity.workspaceID).contactURL
            let turns = try await conversations.turns(of: conversation).map {
                TurnDTO($0, showsReason: context.identity.canAdminister, contactURL: contact)
            }
            return ConversationDTO(conversation, turns: turns)
        }
        signedIn.delete(SiteRoute.conversation(nil).pattern) { _, context -> DeleteResponse in
            try await conversations.delete(try context.idParameter(orThrow: ConversationError.notFound), of: ConversationOwner(context.identity))
            return DeleteResponse(success: true)
        }
        signedIn.post(SiteRoute.conversationMessages(nil).pattern) { request, context -> Response in
            let identity = context.identity
            let conversation = try await conversations.find(try context.idParameter(orThrow: ConversationError.notFound), of: ConversationOwner(identity))
            let body = try await request.decode(as: ChatQuestion.self, context: context)
            let question = try body.validated()
            let chat = conversations.chat
            let profile = try await chat.chatbot.profile(for: identity.workspaceID)
            if request.headers[.accept]?.contains("text/event-stream") == true {
                let (events, keep) = try await conversations.stream(question, filter: body.filter, in: conversation, profile: profile, channel: .conversation)
                return AnswerStream.response(
                    events, sources: { $0.map(ChatAPI.SourceDTO.init) }, showsReason: identity.canAdminister, contactURL: profile.contactURL,
                    finished: keep)
            }
            let turn = try await conversations.ask(question, filter: body.filter, in: conversation, profile: profile, channel: .conversation)
            return try context.responseEncoder.encode(
                TurnDTO(turn, showsReason: identity.canAdminister, contactURL: profile.contactURL), from: request, context: context)
        }
    }
}

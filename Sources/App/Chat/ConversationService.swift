import CirrusCore
import FluentKit
import Foundation
import Knowledge

/// Whose conversations: a signed-in person's, or an anonymous website visitor's (the widget's).
enum ConversationOwner: Sendable, Equatable {
    case person(workspaceID: UUID, userID: UUID)
    case visitor(workspaceID: UUID, visitorID: String)

    init(_ identity: Identity) { self = .person(workspaceID: identity.workspaceID, userID: identity.userID) }

    var workspaceID: UUID {
        switch self {
        case .person(let workspaceID, _), .visitor(let workspaceID, _): workspaceID
        }
    }

    /// `query` narrowed to this owner's conversations.
    func only(_ query: QueryBuilder<Conversation>) -> QueryBuilder<Conversation> {
        let query = query.filter(\.$workspace.$id == workspaceID)
        switch self {
        case .person(_, let userID): return query.filter(\.$user.$id == userID)
        case .visitor(_, let visitorID): return query.filter(\.$visitorID == visitorID)
        }
    }
}

/// How an answer was rated.
enum Rating: String, Codable, Sendable {
    case up, down

    /// As stored (`conversation_turns.rating`).
    var value: Int { self == .up ? 1 : -1 }

    init?(stored value: Int?) {
        guard let value else { return nil }
        self = value > 0 ? .up : .down
    }
}

extension ConversationTurn {
    /// The sources as kept with the turn (the chat API's shape).
    var sources: [ChatAPI.SourceDTO] {
        (try? JSONCoding.decoder().decode([ChatAPI.SourceDTO].self, from: Data(sourcesJSON.utf8))) ?? []
    }

    var verdict: Rating? { Rating(stored: rating) }
}

/// Conversations: a chat that keeps its turns, so a follow-up is understood from the ones
/// before it (see ``FollowUp``). Each belongs to its starter alone, within their workspace.
struct ConversationService: Sendable {
    let store: Store
    let chat: ChatService

    /// Turns read back as the context of a follow-up.
    static let contextTurns = 6

    func create(title: String?, for owner: ConversationOwner) async throws -> Conversation {
        let conversation = Conversation()
        conversation.$workspace.id = owner.workspaceID
        switch owner {
        case .person(_, let userID): conversation.$user.id = userID
        case .visitor(_, let visitorID): conversation.visitorID = visitorID
        }
        conversation.title = Self.clean(title) ?? ""
        try await conversation.create(on: store.database)
        return conversation
    }

    /// The owner's conversations, the latest first.
    func list(of owner: ConversationOwner) async throws -> [Conversation] {
        try await owner.only(Conversation.query(on: store.database)).sort(\.$updatedAt, .descending).sort(\.$createdAt, .descending).limit(200).all()
    }

    /// One of the owner's conversations, or ``ConversationError/notFound`` (also for anyone else's).
    func find(_ id: UUID, of owner: ConversationOwner) async throws -> Conversation {
        guard let conversation = try await owner.only(Conversation.query(on: store.database)).filter(\.$id == id).first() else {
            throw ConversationError.notFound
        }
        return conversation
    }

    func turns(of conversation: Conversation) async throws -> [ConversationTurn] {
        try await ConversationTurn.query(on: store.database).filter(\.$conversation.$id == conversation.requireID())
            .sort(\.$createdAt, .ascending).all()
    }

    func delete(_ id: UUID, of owner: ConversationOwner) async throws {
        let conversation = try await find(id, of: owner)
        let database = store.database
        try await database.transaction { db in
            try await ConversationTurn.query(on: db).filter(\.$conversation.$id == conversation.requireID()).delete()
            try await conversation.delete(on: db)
        }
    }

    /// The question as it is to be searched: rewritten from the conversation by the language
    /// model when there is one, else by ``FollowUp/standalone(_:after:tokenizer:)``.
    func standalone(_ question: String, in conversation: Conversation) async throws -> String {
        // Read first, then let go of the database before asking the model.
        let earlier = Array(try await turns(of: conversation).suffix(Self.contextTurns))
        guard let last = earlier.last else { return question }
        if let model = chat.knowledge.languageModel {
            var text = ""
            let prompt = FollowUp.rewritePrompt(question, history: earlier.map { ($0.question, $0.answer) })
            if let pieces = try? await collect(model.stream(prompt), limit: 4 * question.count + 400) { text = pieces }
            let rewritten = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !rewritten.isEmpty { return rewritten }
        }
        let firstSource = last.sources.first?.title
        return FollowUp.standalone(question, after: FollowUp.Turn(searchedAs: last.searchedAs, firstSource: firstSource))
    }

    private func collect(_ stream: AsyncThrowingStream<String, any Error>, limit: Int) async throws -> String {
        var text = ""
        for try await piece in stream {
            text += piece
            if text.count > limit { break }
        }
        return text
    }

    /// Asks in the conversation, whole: the question made standalone, answered as the chatbot
    /// answers (``ChatService``), and kept as a turn.
    func ask(
        _ question: String, filter: SearchFilter, in conversation: Conversation, profile: ChatbotProfile, channel: QuestionChannel
    ) async throws -> ConversationTurn {
        let searchedAs = try await standalone(question, in: conversation)
        let answer: Answer
        do {
            answer = try await chat.answer(searchedAs, workspaceID: conversation.$workspace.id, filter: filter, profile: profile, channel: channel)
        } catch is LanguageModelError {
            throw ChatError.answerFailed
        }
        return try await record(
            question: question, searchedAs: searchedAs, category: filter.category, answer: answer.text, citations: answer.citations,
            declined: answer.declined, in: conversation)
    }

    /// Asks in the conversation as the answer is written: its events, and `keep`, which records
    /// the turn once they have all been sent.
    func stream(
        _ question: String, filter: SearchFilter, in conversation: Conversation, profile: ChatbotProfile, channel: QuestionChannel
    ) async throws -> (events: AsyncThrowingStream<ChatService.Event, any Error>, keep: AnswerStream.Keep) {
        let searchedAs = try await standalone(question, in: conversation)
        let events = try await chat.stream(searchedAs, workspaceID: conversation.$workspace.id, filter: filter, profile: profile, channel: channel)
        return (
            events,
            { answer, citations, declined in
                let turn = try await record(
                    question: question, searchedAs: searchedAs, category: filter.category, answer: answer, citations: citations, declined: declined,
                    in: conversation)
                return AnswerStream.Kept(turnId: try turn.requireID(), conversationId: try conversation.requireID())
            }
        )
    }

    /// Keeps a turn; the conversation is named after its first question when it has no title.
    @discardableResult
    private func record(
        question: String, searchedAs: String, category: String?, answer: String, citations: [Citation], declined: DeclineReason?,
        in conversation: Conversation
    ) async throws -> ConversationTurn {
        let turn = ConversationTurn()
        turn.$conversation.id = try conversation.requireID()
        turn.question = question
        turn.searchedAs = searchedAs
        turn.category = category
        turn.answer = answer
        turn.sourcesJSON = String(decoding: try JSONCoding.encoder().encode(citations.map(ChatAPI.SourceDTO.init)), as: UTF8.self)
        turn.declinedCode = declined?.code
        turn.declinedReason = declined?.description
        let database = store.database
        try await database.transaction { db in
            try await turn.create(on: db)
            if conversation.title.isEmpty { conversation.title = Self.clean(question) ?? "Conversation" }
            // Touched so the list shows the latest conversation first.
            conversation.updatedAt = Date()
            try await conversation.save(on: db)
        }
        return turn
    }

    /// Keeps the asker's rating of one of the conversation's answers (a second rating replaces the first).
    func rate(_ turnID: UUID, in conversation: Conversation, _ rating: Rating, comment: String?) async throws {
        guard
            let turn = try await ConversationTurn.query(on: store.database).filter(\.$id == turnID)
                .filter(\.$conversation.$id == conversation.requireID()).first()
        else { throw ConversationError.turnNotFound }
        turn.rating = rating.value
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard comment.count <= 2000 else { throw ConversationError.commentTooLong }
        turn.ratingComment = comment.isEmpty ? nil : comment
        turn.ratedAt = Date()
        try await turn.save(on: store.database)
    }

    /// A title on one line, at most 120 characters, or nil when blank.
    static func clean(_ title: String?) -> String? {
        guard let title else { return nil }
        let line = title.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? nil : String(line.prefix(120))
    }
}

/// Failures of the conversation routes, in words for the person asking.
enum ConversationError: UserFacingError {
    case notFound
    case turnNotFound
    case commentTooLong

    var code: String {
        switch self {
        case .notFound: "conversation_not_found"
        case .turnNotFound: "turn_not_found"
        case .commentTooLong: "comment_too_long"
        }
    }

    var safeMessage: String {
        switch self {
        case .notFound: "There is no such conversation."
        case .turnNotFound: "There is no such answer in this conversation."
        case .commentTooLong: "The comment is too long (2,000 characters at most)."
        }
    }

    var kind: FailureKind {
        switch self {
        case .notFound, .turnNotFound: .notFound
        case .commentTooLong: .badRequest
        }
    }
}

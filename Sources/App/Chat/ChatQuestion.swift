import CirrusCore
import Foundation
import Hummingbird
import Knowledge
import NIOCore

/// A question as the API and the Chat page's form send it.
struct ChatQuestion: Decodable, Sendable {
    let question: String
    let category: String?
    /// A platform (`google_drive`, `microsoft`, `dropbox`, `confluence`) to answer from alone.
    let source: String?

    /// The category and source to search in; blank means all.
    var filter: SearchFilter {
        func given(_ value: String?) -> String? { value.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        return SearchFilter(category: given(category), source: given(source))
    }

    /// The question trimmed, or ``ChatError`` when it is empty or longer than 2,000 characters.
    func validated() throws -> String {
        let trimmed = question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ChatError.emptyQuestion }
        guard trimmed.count <= 2000 else { throw ChatError.questionTooLong }
        return trimmed
    }
}

/// Why an answer is "I don't know": a stable code for everyone, the reason in words for admins,
/// and where to ask a person instead (the chatbot's contact link), when there is one.
struct DeclinedDTO: Codable, Equatable, Sendable {
    let code: String
    let reason: String?
    let contactUrl: String?

    init(code: String, reason: String?, contactURL: String?) {
        self.code = code
        self.reason = reason
        self.contactUrl = contactURL
    }

    init?(_ reason: DeclineReason?, showsReason: Bool, contactURL: String?) {
        guard let reason else { return nil }
        self.init(code: reason.code, reason: showsReason ? reason.description : nil, contactURL: contactURL)
    }
}

/// An answer as Server-Sent Events, for the API and the Chat page's script alike: `sources`
/// (as `sources` maps them), `delta` pieces of text, then `finished` is called and `done`
/// carries the whole answer (and `declined`, for "I don't know"); `error` if it fails.
enum AnswerStream {
    struct Delta: Encodable { let text: String }
    struct ErrorBody: Encodable { let message: String }

    struct DoneBody<Source: Encodable>: Encodable {
        let answer: String
        let sources: [Source]
        let declined: DeclinedDTO?
        /// Where the answer was kept, when it was (a conversation's turn).
        var turnId: UUID? = nil
        var conversationId: UUID? = nil
    }

    /// The turn an answer was kept as.
    struct Kept: Sendable {
        let turnId: UUID
        let conversationId: UUID
    }

    /// Keeps the whole answer once it has been sent, and says where.
    typealias Keep = @Sendable (_ answer: String, _ citations: [Citation], _ declined: DeclineReason?) async throws -> Kept?

    static func response<Source: Encodable & Sendable>(
        _ events: AsyncThrowingStream<ChatService.Event, any Error>,
        sources map: @escaping @Sendable ([Citation]) -> [Source],
        showsReason: Bool, contactURL: String?,
        finished: @escaping Keep = { _, _, _ in nil }
    ) -> Response {
        ServerSentEvents.response { writer in
            var answer = ""
            var citations: [Citation] = []
            var declined: DeclineReason?
            do {
                for try await event in events {
                    switch event {
                    case .sources(let list):
                        citations = list
                        try await writer.write(ByteBuffer(string: ServerSentEvents.event("sources", map(list))))
                    case .text(let piece):
                        answer += piece
                        try await writer.write(ByteBuffer(string: ServerSentEvents.event("delta", Delta(text: piece))))
                    case .declined(let reason):
                        declined = reason
                        citations = []
                    }
                }
                let kept = try await finished(answer, citations, declined)
                let done = DoneBody(
                    answer: answer, sources: map(citations), declined: DeclinedDTO(declined, showsReason: showsReason, contactURL: contactURL),
                    turnId: kept?.turnId, conversationId: kept?.conversationId)
                try await writer.write(ByteBuffer(string: ServerSentEvents.event("done", done)))
            } catch {
                try await writer.write(ByteBuffer(string: ServerSentEvents.event("error", ErrorBody(message: ChatError.answerFailed.safeMessage))))
            }
            try await writer.finish(nil)
        }
    }
}

/// Failures of a question, in words for the person who asked.
enum ChatError: UserFacingError {
    case emptyQuestion
    case questionTooLong
    case answerFailed

    var code: String {
        switch self {
        case .emptyQuestion: "empty_question"
        case .questionTooLong: "question_too_long"
        case .answerFailed: "answer_failed"
        }
    }

    var safeMessage: String {
        switch self {
        case .emptyQuestion: "Ask a question."
        case .questionTooLong: "The question is too long (2,000 characters at most)."
        case .answerFailed: "The language model could not answer just now; try again."
        }
    }

    var kind: FailureKind {
        switch self {
        case .emptyQuestion, .questionTooLong: .badRequest
        case .answerFailed: .unavailable
        }
    }
}

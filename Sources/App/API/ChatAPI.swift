import CirrusCore
import Foundation
import Hummingbird
import Knowledge

/// `POST /api/v1/chat {question, category?}` → `{answer, sources:[…]}`. With
/// `Accept: text/event-stream` the answer streams as Server-Sent Events: `sources` first,
/// then `delta` pieces of text, then `done` with the whole answer.
struct ChatAPI {
    let chat: ChatService

    struct ChatRequest: Decodable {
        let question: String
        let category: String?
        /// A platform (`google_drive`, `microsoft`, `dropbox`, `confluence`) to answer from alone.
        let source: String?

        /// The category and source to search in; blank means all.
        var filter: SearchFilter {
            func given(_ value: String?) -> String? { value.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
            return SearchFilter(category: given(category), source: given(source))
        }
    }

    struct SourceDTO: Codable, Equatable {
        let documentId: UUID
        let title: String
        let sourceType: String
        let url: String?
        let location: String?
        /// Calibrated, in percent.
        let confidence: Int
        let number: Int

        enum CodingKeys: String, CodingKey {
            case documentId = "document_id", title, sourceType = "source_type", url, location, confidence, number
        }

        init(_ citation: Citation) {
            documentId = citation.documentID
            title = citation.title
            sourceType = citation.sourceType
            url = citation.url
            location = citation.location
            confidence = citation.confidence
            number = citation.number
        }
    }

    struct Delta: Encodable { let text: String }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("chat") { request, context -> Response in
            let identity = try context.requireIdentity()
            let body = try await request.decode(as: ChatRequest.self, context: context)
            let question = try Self.validated(body.question)
            let filter = body.filter
            if request.headers[.accept]?.contains("text/event-stream") == true {
                let events = try await chat.stream(question, workspaceID: identity.workspaceID, filter: filter)
                return Self.eventStream(events, sources: { $0.map(SourceDTO.init) }, finished: { _, _ in })
            }
            let answer: Answer
            do {
                answer = try await chat.answer(question, workspaceID: identity.workspaceID, filter: filter)
            } catch is LanguageModelError {
                throw ChatError.answerFailed
            }
            return try context.responseEncoder.encode(
                DoneBody(answer: answer.text, sources: answer.citations.map(SourceDTO.init)), from: request, context: context)
        }
    }

    struct ErrorBody: Encodable { let message: String }

    /// An answer as Server-Sent Events: `sources` (as `sources` maps them), `delta` pieces of
    /// text, then `finished` is called and `done` carries the whole answer; `error` if it fails.
    static func eventStream<Source: Encodable & Sendable>(
        _ events: AsyncThrowingStream<ChatService.Event, any Error>,
        sources map: @escaping @Sendable ([Citation]) -> [Source],
        finished: @escaping @Sendable (_ answer: String, _ citations: [Citation]) async throws -> Void
    ) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in
                var answer = ""
                var citations: [Citation] = []
                do {
                    for try await event in events {
                        switch event {
                        case .sources(let list):
                            citations = list
                            try await writer.write(ByteBuffer(string: ImportsAPI.event("sources", map(list))))
                        case .text(let piece):
                            answer += piece
                            try await writer.write(ByteBuffer(string: ImportsAPI.event("delta", Delta(text: piece))))
                        }
                    }
                    try await finished(answer, citations)
                    try await writer.write(ByteBuffer(string: ImportsAPI.event("done", DoneBody(answer: answer, sources: map(citations)))))
                } catch {
                    try await writer.write(ByteBuffer(string: ImportsAPI.event("error", ErrorBody(message: ChatError.answerFailed.safeMessage))))
                }
                try await writer.finish(nil)
            })
    }

    struct DoneBody<Source: Encodable>: Encodable {
        let answer: String
        let sources: [Source]
    }

    static func validated(_ question: String) throws -> String {
        let trimmed = question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ChatError.emptyQuestion }
        guard trimmed.count <= 2000 else { throw ChatError.questionTooLong }
        return trimmed
    }
}

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

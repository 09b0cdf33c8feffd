import CirrusCore
import Foundation
import Hummingbird
import Knowledge

/// `POST /api/v1/chat {question, category?}` → `{answer, sources:[…], declined?}`. With
/// `Accept: text/event-stream` the answer streams as Server-Sent Events: `sources` first,
/// then `delta` pieces of text, then `done` with the whole answer.
struct ChatAPI {
    let chat: ChatService

    /// A cited source, in the seed's snake_case shape.
    struct SourceDTO: Codable, Equatable {
        let documentId: UUID
        let title: String
        let sourceType: String
        var url: String?
        let location: String?
        /// Calibrated, in percent.
        let confidence: Int
        let number: Int

        enum CodingKeys: String, CodingKey {
            case documentId = "document_id"
            case title
            case sourceType = "source_type"
            case url, location, confidence, number
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

    func addRoutes(to signedIn: RouterGroup<SignedInContext>) {
        signedIn.post(SiteRoute.chat.pattern) { request, context -> Response in
            let workspace = context.identity.workspaceID
            let body = try await request.decode(as: ChatQuestion.self, context: context)
            let question = try body.validated()
            let profile = try await chat.chatbot.profile(for: workspace)
            if request.headers[.accept]?.contains("text/event-stream") == true {
                let events = try await chat.stream(question, workspaceID: workspace, filter: body.filter, profile: profile, channel: .api)
                return AnswerStream.response(
                    events, sources: { $0.map(SourceDTO.init) }, showsReason: context.identity.canAdminister, contactURL: profile.contactURL)
            }
            let answer: Answer
            do {
                answer = try await chat.answer(question, workspaceID: workspace, filter: body.filter, profile: profile, channel: .api)
            } catch is LanguageModelError {
                throw ChatError.answerFailed
            }
            return try context.responseEncoder.encode(
                AnswerStream.DoneBody(
                    answer: answer.text, sources: answer.citations.map(SourceDTO.init),
                    declined: DeclinedDTO(answer.declined, showsReason: context.identity.canAdminister, contactURL: profile.contactURL)),
                from: request, context: context)
        }
    }
}

import FluentKit
import Foundation
import Knowledge

/// The Chat page's last questions with their answers, kept per browser session.
struct ChatHistory: Sendable {
    let store: Store

    /// Questions kept per session.
    static let length = 10

    /// The session's turns, newest first.
    func turns(of sessionID: UUID) async throws -> [ChatPage.Turn] {
        try await ChatTurn.query(on: store.database).filter(\.$session.$id == sessionID)
            .sort(\.$createdAt, .descending).limit(Self.length).all()
            .map { turn in
                ChatPage.Turn(
                    id: turn.id ?? UUID(), question: turn.question, category: turn.category, answer: turn.answer,
                    sources: (try? JSONCoding.decoder().decode([ChatPage.Source].self, from: Data(turn.sourcesJSON.utf8))) ?? [],
                    declinedReason: turn.declinedReason, declined: turn.declinedReason != nil)
            }
    }

    /// Keeps a question and its answer (the latest ``length`` only).
    func save(question: String, category: String?, answer: String, sources: [ChatPage.Source], declined: DeclineReason?, sessionID: UUID) async throws {
        let turn = ChatTurn()
        turn.$session.id = sessionID
        turn.question = question
        turn.category = category
        turn.answer = answer
        turn.sourcesJSON = String(decoding: try JSONCoding.encoder().encode(sources), as: UTF8.self)
        turn.declinedReason = declined?.description
        let database = store.database
        try await turn.create(on: database)
        let all = try await ChatTurn.query(on: database).filter(\.$session.$id == sessionID).sort(\.$createdAt, .descending).all()
        for stale in all.dropFirst(Self.length) { try await stale.delete(on: database) }
    }
}

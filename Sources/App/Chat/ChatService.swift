import CirrusCore
import FluentKit
import Foundation
import Knowledge

/// Answers a question from a workspace's knowledge base: hybrid retrieval, then an
/// extractive answer, or a language model's answer grounded in the same passages.
struct ChatService: Sendable {
    let knowledge: KnowledgeBase
    let metrics: MetricsRegistry
    var answerer = Answerer()
    /// Passages retrieved per question.
    var depth = 6

    init(deps: Dependencies) {
        self.knowledge = deps.knowledge
        self.metrics = deps.metrics
    }

    /// What the answer is built from.
    struct Retrieval: Sendable {
        let question: String
        let questionVector: [Float]?
        let passages: [RetrievedPassage]
    }

    /// One step of a streamed answer.
    enum Event: Sendable {
        case sources([Citation])
        case text(String)
    }

    func retrieve(_ question: String, workspaceID: UUID, filter: SearchFilter, mode: SearchMode = .hybrid) async throws -> Retrieval {
        let started = ContinuousClock.now
        defer { metrics.recordRetrieval(duration: ContinuousClock.now - started) }
        let index = try await knowledge.index(for: workspaceID)
        // An embeddings service that is down leaves the words: the question is still answered by BM25.
        let vector = try? await knowledge.embedQuestion(question)
        let hits = index.search(question, vector: vector, mode: mode, filter: filter, limit: depth)
        guard !hits.isEmpty else { return Retrieval(question: question, questionVector: vector, passages: []) }
        let db = knowledge.store.database
        let chunks = try await KnowledgeChunk.query(on: db).filter(\.$id ~~ hits.map(\.chunkID)).filter(\.$workspace.$id == workspaceID).all()
        let documents = try await KnowledgeDocument.query(on: db).filter(\.$id ~~ hits.map(\.documentID)).all()
        let chunkByID = Dictionary(chunks.compactMap { chunk in chunk.id.map { ($0, chunk) } }, uniquingKeysWith: { first, _ in first })
        let documentByID = Dictionary(documents.compactMap { document in document.id.map { ($0, document) } }, uniquingKeysWith: { first, _ in first })
        // A hit whose rows vanished (deleted since the index read them) is dropped.
        let passages = hits.compactMap { hit -> RetrievedPassage? in
            guard let chunk = chunkByID[hit.chunkID], let document = documentByID[hit.documentID] else { return nil }
            return RetrievedPassage(
                documentID: hit.documentID, title: document.title, sourceType: document.sourcePlatform.rawValue, url: WebLink.safe(document.sourceURL),
                location: chunk.location, headingPath: chunk.headingPath, text: chunk.text, cosine: hit.cosine, bm25Rank: hit.bm25Rank)
        }
        return Retrieval(question: question, questionVector: vector, passages: passages)
    }

    /// The whole answer at once.
    func answer(_ question: String, workspaceID: UUID, filter: SearchFilter) async throws -> Answer {
        let retrieval = try await retrieve(question, workspaceID: workspaceID, filter: filter)
        guard knowledge.languageModel != nil else { return try await extractive(retrieval) }
        var text = ""
        var citations: [Citation] = []
        for try await event in generated(retrieval) {
            switch event {
            case .sources(let sources): citations = sources
            case .text(let piece): text += piece
            }
        }
        return Answer(text: text, citations: citations, answered: !citations.isEmpty)
    }

    /// The answer as it is written: the sources first, then the text in pieces.
    func stream(_ question: String, workspaceID: UUID, filter: SearchFilter) async throws -> AsyncThrowingStream<Event, any Error> {
        let retrieval = try await retrieve(question, workspaceID: workspaceID, filter: filter)
        if knowledge.languageModel != nil { return generated(retrieval) }
        let answer = try await extractive(retrieval)
        return AsyncThrowingStream { continuation in
            continuation.yield(.sources(answer.citations))
            continuation.yield(.text(answer.text))
            continuation.finish()
        }
    }

    private func extractive(_ retrieval: Retrieval) async throws -> Answer {
        var scorer: (([String]) async throws -> [Float])?
        if let embedder = knowledge.embedder, let question = retrieval.questionVector {
            scorer = { sentences in
                try await embedder.embed(sentences).map { vector in zip(vector, question).reduce(0) { $0 + $1.0 * $1.1 } }
            }
        }
        let answer = try await answerer.extractive(question: retrieval.question, passages: retrieval.passages, sentenceScores: scorer)
        metrics.recordQuestion(mode: "extractive", answered: answer.answered)
        return answer
    }

    private func generated(_ retrieval: Retrieval) -> AsyncThrowingStream<Event, any Error> {
        let (passages, citations) = answerer.sources(for: retrieval.passages)
        metrics.recordQuestion(mode: "llm", answered: !citations.isEmpty)
        return AsyncThrowingStream { continuation in
            guard let model = knowledge.languageModel, !citations.isEmpty else {
                // Nothing relevant: the model is not asked to make something up.
                continuation.yield(.sources([]))
                continuation.yield(.text(Answerer.unknown))
                continuation.finish()
                return
            }
            let task = Task {
                continuation.yield(.sources(citations))
                do {
                    for try await piece in model.stream(answerer.groundingPrompt(question: retrieval.question, passages: passages, citations: citations)) {
                        continuation.yield(.text(piece))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

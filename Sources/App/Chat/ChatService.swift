import CirrusCore
import FluentKit
import Foundation
import Knowledge
import Logging

/// Answers a question from a workspace's knowledge base: hybrid retrieval, then an
/// extractive answer, or a language model's answer grounded in the same passages — as the
/// workspace's chatbot settings (``ChatbotProfile``) say: its categories, caution, wording.
struct ChatService: Sendable {
    let knowledge: KnowledgeBase
    let metrics: MetricsRegistry
    let chatbot: ChatbotService
    let logger: Logger
    var answerer = Answerer()
    /// Passages an answer is built from, after re-ranking.
    var depth = 6
    var reranker = SentenceReranker()

    init(deps: Dependencies, chatbot: ChatbotService) {
        self.knowledge = deps.knowledge
        self.metrics = deps.metrics
        self.logger = deps.logger
        self.chatbot = chatbot
        self.answerer = Answerer(caution: deps.config.answerCaution)
    }

    /// What the answer is built from.
    struct Retrieval: Sendable {
        let question: String
        /// The question's language, and the question as searched (rewritten into the documents'
        /// language by the language model when there is one).
        let language: Language
        let searchedAs: String
        let questionVector: [Float]?
        let passages: [RetrievedPassage]
        /// Whether the passages answer, and which to cite.
        let grounding: Grounding
    }

    /// One step of a streamed answer.
    enum Event: Sendable {
        case sources([Citation])
        case text(String)
        /// The answer is "I don't know", for this reason (sent last).
        case declined(DeclineReason)
    }

    func retrieve(
        _ question: String, workspaceID: UUID, filter: SearchFilter, profile: ChatbotProfile, mode: SearchMode = .hybrid
    ) async throws -> Retrieval {
        let filter = profile.restricting(filter)
        let started = ContinuousClock.now
        defer { metrics.recordRetrieval(duration: ContinuousClock.now - started) }
        let language = Language.detect(question) ?? .english
        // The documents are searched in their language: a question in another is restated by the
        // model first (before any database read, so no connection waits on the model).
        let searchedAs = language == .english ? question : (await translated(question, from: language) ?? question)
        let searchLanguage = searchedAs == question ? language : .english
        let index = try await knowledge.index(for: workspaceID)
        // An embeddings service that is down leaves the words: the question is still answered by BM25.
        let vector = try? await knowledge.embedQuestion(searchedAs)
        let hits = index.search(searchedAs, vector: vector, mode: mode, filter: filter, limit: max(depth, reranker.candidates))
        var passages: [RetrievedPassage] = []
        if !hits.isEmpty {
            let db = knowledge.store.database
            let chunks = try await KnowledgeChunk.query(on: db).filter(\.$id ~~ hits.map(\.chunkID)).filter(\.$workspace.$id == workspaceID).all()
            let documents = try await KnowledgeDocument.query(on: db).filter(\.$id ~~ hits.map(\.documentID)).all()
            let chunkByID = Dictionary(chunks.compactMap { chunk in chunk.id.map { ($0, chunk) } }, uniquingKeysWith: { first, _ in first })
            let documentByID = Dictionary(documents.compactMap { document in document.id.map { ($0, document) } }, uniquingKeysWith: { first, _ in first })
            // A hit whose rows vanished (deleted since the index read them) is dropped.
            passages = hits.compactMap { hit -> RetrievedPassage? in
                guard let chunk = chunkByID[hit.chunkID], let document = documentByID[hit.documentID] else { return nil }
                return RetrievedPassage(
                    documentID: hit.documentID, title: document.title, sourceType: document.sourcePlatform.rawValue, url: WebLink.safe(document.sourceURL),
                    location: chunk.location, headingPath: chunk.headingPath, text: chunk.text, cosine: hit.cosine, bm25Rank: hit.bm25Rank)
            }
        }
        // The short list re-ranked by its best sentences (the store was read already; an embedder
        // that fails leaves the fused order).
        if let embedder = knowledge.embedder, mode != .bm25 {
            passages = (try? await reranker.rerank(passages, question: vector) { try await embedder.embed($0) }) ?? passages
        }
        passages = Array(passages.prefix(depth))
        let grounding = profile.applying(to: answerer).ground(question: searchedAs, language: searchLanguage, passages: passages, rarity: index.rarity(of:))
        return Retrieval(
            question: question, language: language, searchedAs: searchedAs, questionVector: vector, passages: passages, grounding: grounding)
    }

    /// The question restated in English by the language model, or nil without one (or when it fails:
    /// the question is then searched as asked).
    private func translated(_ question: String, from language: Language) async -> String? {
        guard let model = knowledge.languageModel else { return nil }
        var text = ""
        do {
            for try await piece in model.stream(answerer.translationPrompt(question: question, from: language)) {
                text += piece
                if text.count > 4 * question.count + 200 { break }
            }
        } catch {
            return nil
        }
        let restated = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return restated.isEmpty ? nil : restated
    }

    /// Whether the language model writes this chatbot's answers.
    private func writes(_ profile: ChatbotProfile) -> Bool {
        knowledge.languageModel != nil && profile.answerStyle == .written
    }

    /// The whole answer at once; the question is kept in the log Insights reads, as searched
    /// (a follow-up in its standalone form, which says what it was about).
    func answer(
        _ question: String, workspaceID: UUID, filter: SearchFilter, profile: ChatbotProfile, channel: QuestionChannel
    ) async throws -> Answer {
        let answer = try await answer(question, workspaceID: workspaceID, filter: filter, profile: profile)
        await log(question, workspaceID: workspaceID, channel: channel, declined: answer.declined)
        return answer
    }

    private func answer(_ question: String, workspaceID: UUID, filter: SearchFilter, profile: ChatbotProfile) async throws -> Answer {
        let retrieval = try await retrieve(question, workspaceID: workspaceID, filter: filter, profile: profile)
        guard writes(profile) else { return try await extractive(retrieval, profile: profile) }
        var text = ""
        var citations: [Citation] = []
        var declined: DeclineReason?
        for try await event in generated(retrieval, profile: profile) {
            switch event {
            case .sources(let sources): citations = sources
            case .text(let piece): text += piece
            case .declined(let reason): declined = reason
            }
        }
        return Answer(text: text, citations: declined == nil ? citations : [], declined: declined, evidence: retrieval.grounding.evidence)
    }

    /// The answer as it is written: the sources first, then the text in pieces; the question is
    /// logged once the answer is complete.
    func stream(
        _ question: String, workspaceID: UUID, filter: SearchFilter, profile: ChatbotProfile, channel: QuestionChannel
    ) async throws -> AsyncThrowingStream<Event, any Error> {
        let events = try await stream(question, workspaceID: workspaceID, filter: filter, profile: profile)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var declined: DeclineReason?
                do {
                    for try await event in events {
                        if case .declined(let reason) = event { declined = reason }
                        continuation.yield(event)
                    }
                    await log(question, workspaceID: workspaceID, channel: channel, declined: declined)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Keeps a question in the log; failing to keep it never fails the answer.
    private func log(_ question: String, workspaceID: UUID, channel: QuestionChannel, declined: DeclineReason?) async {
        do {
            try await AskedQuestion(workspaceID: workspaceID, channel: channel, question: question, declinedCode: declined?.code)
                .create(on: knowledge.store.database)
        } catch {
            logger.warning("Could not log a question", metadata: ["error.type": .string(String(reflecting: type(of: error)))])
        }
    }

    private func stream(
        _ question: String, workspaceID: UUID, filter: SearchFilter, profile: ChatbotProfile
    ) async throws -> AsyncThrowingStream<Event, any Error> {
        let retrieval = try await retrieve(question, workspaceID: workspaceID, filter: filter, profile: profile)
        if writes(profile) { return generated(retrieval, profile: profile) }
        let answer = try await extractive(retrieval, profile: profile)
        return AsyncThrowingStream { continuation in
            continuation.yield(.sources(answer.citations))
            continuation.yield(.text(answer.text))
            if let reason = answer.declined { continuation.yield(.declined(reason)) }
            continuation.finish()
        }
    }

    private func extractive(_ retrieval: Retrieval, profile: ChatbotProfile) async throws -> Answer {
        var scorer: (([String]) async throws -> [Float])?
        if let embedder = knowledge.embedder, let question = retrieval.questionVector {
            scorer = { sentences in
                try await embedder.embed(sentences).map { vector in zip(vector, question).reduce(0) { $0 + $1.0 * $1.1 } }
            }
        }
        let answer = try await answerer.extractive(question: retrieval.searchedAs, grounding: retrieval.grounding, sentenceScores: scorer)
        metrics.recordQuestion(mode: "extractive", answered: answer.answered)
        guard answer.declined != nil else { return answer }
        return Answer(text: profile.unknownAnswer, citations: [], declined: answer.declined, evidence: answer.evidence)
    }

    private func generated(_ retrieval: Retrieval, profile: ChatbotProfile) -> AsyncThrowingStream<Event, any Error> {
        let grounding = retrieval.grounding
        return AsyncThrowingStream { continuation in
            guard let model = knowledge.languageModel, grounding.declined == nil, !grounding.citations.isEmpty else {
                // Nothing relevant: the model is not asked to make something up.
                metrics.recordQuestion(mode: "llm", answered: false)
                continuation.yield(.sources([]))
                continuation.yield(.text(profile.unknownAnswer))
                continuation.yield(.declined(grounding.declined ?? .nothingFound))
                continuation.finish()
                return
            }
            let task = Task {
                continuation.yield(.sources(grounding.citations))
                do {
                    var reply = ""
                    let prompt = answerer.groundingPrompt(
                        question: retrieval.question, language: retrieval.language, passages: grounding.passages, citations: grounding.citations,
                        instructions: profile.systemPrompt)
                    // A reply that may be the model's "I don't know" is held back until it is
                    // known not to be: the chatbot says its own wording instead.
                    var holding = true
                    for try await piece in model.stream(prompt) {
                        reply += piece
                        if holding {
                            if Answerer.mayBeUnknown(reply) { continue }
                            holding = false
                            continuation.yield(.text(reply))
                        } else {
                            continuation.yield(.text(piece))
                        }
                    }
                    // The model read the passages and found no answer: the chatbot's "I don't know" stands, uncited.
                    let declined = Answerer.isUnknown(reply)
                    if holding { continuation.yield(.text(declined ? profile.unknownAnswer : reply)) }
                    metrics.recordQuestion(mode: "llm", answered: !declined)
                    if declined { continuation.yield(.declined(.notInSources)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

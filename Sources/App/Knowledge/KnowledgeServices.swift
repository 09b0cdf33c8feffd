import FluentKit
import Foundation
import Knowledge
import Logging
import ServiceLifecycle

/// Keeps this process's search indexes current: loads them at start, then follows the change
/// sequence every second (searches also catch up first) and rebuilds an index once a quarter
/// of it is dead passages.
struct KnowledgeSync: Service {
    let knowledge: KnowledgeBase
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        do { try await knowledge.warmUp() } catch {
            logger.warning("could not load the search index yet", metadata: ["error.type": "\(type(of: error))"])
        }
        var ticks = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil else { return }
            do {
                try await knowledge.catchUp()
                ticks += 1
                if ticks % 60 == 0 { try await knowledge.compact() }
            } catch {
                logger.debug("search index catch-up failed", metadata: ["error.type": "\(type(of: error))"])
            }
        }
    }
}

/// Re-embeds, in the background, documents whose vectors another embedder made (or none
/// did): after the operator changes `CIRRUS_EMBEDDINGS_URL`, or once the built-in model is
/// installed. Search keeps working on words meanwhile, and on vectors document by document.
struct Reembedder: Service {
    let knowledge: KnowledgeBase
    let logger: Logger
    var idleDelay: Duration = .seconds(60)

    func run() async throws {
        guard let identity = knowledge.embedderIdentity else {
            // Words-only search: nothing to re-embed. A service that returns ends the whole
            // service group, so this one waits for shutdown like the others.
            try? await gracefulShutdown()
            return
        }
        var reported = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let done: Int
            do { done = try await reembedBatch(identity: identity) } catch {
                logger.warning("re-embedding failed; trying again later", metadata: ["error": "\(error)"])
                done = 0
            }
            if done > 0 && !reported {
                logger.info("re-embedding the knowledge base with \(identity)")
                reported = true
            }
            if done == 0 {
                guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: idleDelay) })) != nil else { return }
            }
        }
    }

    /// Re-embeds up to eight stale documents; returns how many.
    func reembedBatch(identity: String) async throws -> Int {
        let db = knowledge.store.database
        let stale = try await KnowledgeDocument.query(on: db).filter(\.$status == .ready).filter(\.$chunkCount > 0)
            .group(.or) { $0.filter(\.$embeddingModel == nil).filter(\.$embeddingModel != identity) }
            .limit(8).all()
        for document in stale {
            guard let id = document.id else { continue }
            let chunks = try await KnowledgeChunk.query(on: db).filter(\.$document.$id == id).sort(\.$ordinal).all()
            let vectors = try await knowledge.embed(title: document.title, chunks: chunks.map { ($0.headingPath, $0.text) }) ?? []
            guard vectors.count == chunks.count else { continue }
            try await db.transaction { db in
                // Only if the document was not replaced meanwhile (a newer import wins).
                guard let current = try await KnowledgeDocument.find(id, on: db), current.updatedAt == document.updatedAt else { return }
                for (chunk, vector) in zip(chunks, vectors) {
                    chunk.embedding = VectorCoding.encode(vector)
                    try await chunk.update(on: db)
                }
                current.embeddingModel = identity
                try await current.update(on: db)
                try await KnowledgeBase.recordChange(on: db, workspaceID: current.$workspace.id, documentID: id)
            }
        }
        return stale.count
    }
}

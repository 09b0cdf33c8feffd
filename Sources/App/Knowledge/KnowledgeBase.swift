import CirrusCore
import FluentKit
import Foundation
import Knowledge
import Logging

/// The knowledge base as one process sees it: the embedder, the chunker, and a search index
/// per workspace held in memory.
///
/// The store is the truth (chunks with their vectors as blobs). Every write or delete of a
/// document appends to `knowledge_changes` in the same transaction; each process reads the
/// rows after the last it saw before every search and every second in the background, and
/// reloads those documents — so another process's import shows up within a second and a
/// deletion is gone from the very next search.
final class KnowledgeBase: Sendable {
    let store: Store
    let embedder: (any Embedder)?
    let chunker: Chunker
    /// Writes answers when `CIRRUS_LLM_URL` is set; answers are extractive without it.
    let languageModel: OpenAIChatClient?
    private let catalog: IndexCatalog
    private let logger: Logger

    init(store: Store, embedder: (any Embedder)?, tokenizer: WordPieceTokenizer?, languageModel: OpenAIChatClient? = nil, logger: Logger) {
        self.store = store
        self.embedder = embedder
        self.languageModel = languageModel
        self.chunker = Chunker(tokenizer: tokenizer)
        self.catalog = IndexCatalog(store: store, logger: logger)
        self.logger = logger
    }

    /// The embedder's identity, or nil when search runs on words alone.
    var embedderIdentity: String? { embedder?.identity }

    /// Vectors for a document's chunks, or nil without an embedder.
    func embed(title: String, chunks: [(headingPath: String, text: String)]) async throws -> [[Float]]? {
        guard let embedder, !chunks.isEmpty else { return nil }
        return try await embedder.embed(chunks.map { Chunk.passageText(title: title, heading: $0.headingPath, text: $0.text) })
    }

    /// Appends to the change sequence; call inside the transaction that changes the document.
    static func recordChange(on db: any Database, workspaceID: UUID, documentID: UUID) async throws {
        try await KnowledgeChange(workspaceID: workspaceID, documentID: documentID).create(on: db)
    }

    /// Brings this process's indexes up to date with the change sequence.
    func catchUp() async throws {
        try await catalog.catchUp()
    }

    /// The workspace's index, loaded from the store on first use and current with the store.
    func index(for workspaceID: UUID) async throws -> HybridIndex {
        try await catalog.catchUp()
        return try await catalog.index(for: workspaceID)
    }

    /// Loads every workspace's index (at start-up, so the first question is not the slow one).
    func warmUp() async throws {
        let workspaces = try await Workspace.query(on: store.database).all().compactMap(\.id)
        for workspace in workspaces { _ = try await index(for: workspace) }
    }

    /// Rebuilds indexes in which many passages are dead (replaced or deleted documents).
    func compact() async throws {
        try await catalog.compact()
    }

    /// A question's vector, or nil without an embedder.
    func embedQuestion(_ question: String) async throws -> [Float]? {
        try await embedder?.embed([question]).first
    }
}

/// Per-workspace indexes and the position in the change sequence. An actor: catch-up and
/// loads happen one at a time, while searches run on the thread-safe indexes themselves.
actor IndexCatalog {
    private let store: Store
    private let logger: Logger
    private var indexes: [UUID: HybridIndex] = [:]
    private var loads: [UUID: Task<HybridIndex, any Error>] = [:]
    private var lastChange: Int64?
    /// Sequence numbers skipped over: on PostgreSQL a transaction that took a lower number
    /// can commit after a higher one was read. Re-asked for a minute, then forgotten (a
    /// rolled-back transaction leaves a permanent hole).
    private var gaps: [Int64: ContinuousClock.Instant] = [:]
    /// The catch-up pass under way. The actor is re-entered while a pass awaits the store, and
    /// a caller that found `lastChange` already advanced by it would search an index whose
    /// reload has not finished; so callers wait for passes in turn.
    private var catchingUp: Task<Void, any Error>?

    init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func index(for workspaceID: UUID) async throws -> HybridIndex {
        if let index = indexes[workspaceID] { return index }
        // One load per workspace, however many searches wait for it (the actor is re-entered
        // while a load awaits the store).
        if let loading = loads[workspaceID] { return try await loading.value }
        let store = self.store
        let task = Task { try await Self.load(workspaceID, from: store) }
        loads[workspaceID] = task
        defer { loads[workspaceID] = nil }
        let index = try await task.value
        indexes[workspaceID] = index
        return index
    }

    /// A workspace's index read from the store.
    private static func load(_ workspaceID: UUID, from store: Store) async throws -> HybridIndex {
        let started = try await KnowledgeChange.query(on: store.database).max(\.$id) ?? 0
        let index = HybridIndex()
        let documents = try await DocumentLoader(store: store).load(workspaceID: workspaceID)
        // Tokenising every passage takes seconds for a large workspace: not on the cooperative pool.
        try await onWorkerThread { for document in documents { index.upsert(document) } }
        // Changes committed while the load ran may be missing from it, and catch-up did not
        // apply them here (this index was not in use yet): reload those documents.
        let late = try await KnowledgeChange.query(on: store.database)
            .filter(\.$workspaceID == workspaceID).filter(\.$id > started).all().map(\.documentID)
        try await reload(Set(late), of: workspaceID, into: index, from: store)
        return index
    }

    /// Brings the given documents of an index in line with the store: reloaded, or dropped when gone.
    private static func reload(_ documents: Set<UUID>, of workspaceID: UUID, into index: HybridIndex, from store: Store) async throws {
        guard !documents.isEmpty else { return }
        let loaded = try await DocumentLoader(store: store).load(workspaceID: workspaceID, documentIDs: Array(documents))
        try await onWorkerThread { for document in loaded { index.upsert(document) } }
        for gone in documents.subtracting(loaded.map(\.id)) { index.remove(document: gone) }
    }

    /// Returns once the indexes hold every change committed before the call: after a whole pass
    /// of its own (a pass already under way may have read the sequence too early).
    func catchUp() async throws {
        while let running = catchingUp {
            _ = try? await running.value
            // Whoever sees the pass end clears it (its starter may not have resumed yet).
            if catchingUp == running { catchingUp = nil }
        }
        let pass = Task { try await self.catchUpPass() }
        catchingUp = pass
        defer { if catchingUp == pass { catchingUp = nil } }
        try await pass.value
    }

    private func catchUpPass() async throws {
        let db = store.database
        guard let last = lastChange else {
            // First call: everything up to now is read with each workspace's first load.
            lastChange = try await KnowledgeChange.query(on: db).max(\.$id) ?? 0
            return
        }
        let now = ContinuousClock.now
        gaps = gaps.filter { now - $0.value < .seconds(60) }
        let pendingGaps = Array(gaps.keys)
        let changes = try await KnowledgeChange.query(on: db)
            .group(.or) { group in
                group.filter(\.$id > last)
                if !pendingGaps.isEmpty { group.filter(\.$id ~~ pendingGaps) }
            }
            .sort(\.$id).all()
        guard !changes.isEmpty else { return }
        var expected = last + 1
        var touched: [UUID: Set<UUID>] = [:]
        for change in changes {
            guard let id = change.id else { continue }
            if id > last {
                while expected < id {
                    gaps[expected] = now
                    expected += 1
                }
                expected = id + 1
            } else {
                gaps[id] = nil
            }
            if indexes[change.workspaceID] != nil { touched[change.workspaceID, default: []].insert(change.documentID) }
        }
        lastChange = max(last, changes.compactMap(\.id).max() ?? last)
        for (workspace, documents) in touched {
            guard let index = indexes[workspace] else { continue }
            try await Self.reload(documents, of: workspace, into: index, from: store)
        }
    }

    func compact() async throws {
        for (workspace, index) in indexes where index.deadFraction > 0.25 && index.count > 1000 {
            let fresh = try await Self.load(workspace, from: store)
            indexes[workspace] = fresh
            logger.info("search index rebuilt", metadata: ["passages": "\(fresh.count)"])
        }
    }
}

/// Reads documents and their chunks (with vectors) from the store into the index's shape.
struct DocumentLoader {
    let store: Store

    func load(workspaceID: UUID, documentIDs: [UUID]? = nil) async throws -> [IndexedDocument] {
        let db = store.database
        var query = KnowledgeDocument.query(on: db).filter(\.$workspace.$id == workspaceID).filter(\.$status == .ready)
        if let documentIDs { query = query.filter(\.$id ~~ documentIDs) }
        let documents = try await query.all()
        var result: [IndexedDocument] = []
        result.reserveCapacity(documents.count)
        // Chunks in batches of documents, so a large workspace never sits in memory twice over.
        for batch in stride(from: 0, to: documents.count, by: 200).map({ Array(documents[$0..<min($0 + 200, documents.count)]) }) {
            let ids = batch.compactMap(\.id)
            let chunks = try await KnowledgeChunk.query(on: db).filter(\.$document.$id ~~ ids)
                .field(\.$id).field(\.$document.$id).field(\.$ordinal).field(\.$text).field(\.$headingPath).field(\.$embedding)
                .all()
            let byDocument = Dictionary(grouping: chunks, by: { $0.$document.id })
            for document in batch {
                guard let id = document.id else { continue }
                let passages = (byDocument[id] ?? []).sorted { $0.ordinal < $1.ordinal }.compactMap { chunk -> IndexedDocument.Passage? in
                    guard let chunkID = chunk.id else { return nil }
                    return IndexedDocument.Passage(
                        chunkID: chunkID, ordinal: chunk.ordinal,
                        searchText: Chunk.passageText(title: document.title, heading: chunk.headingPath, text: chunk.text),
                        vector: chunk.embedding.map(VectorCoding.decode))
                }
                result.append(
                    IndexedDocument(id: id, title: document.title, category: document.category, source: document.sourcePlatform.rawValue, passages: passages))
            }
        }
        return result
    }
}

/// Vectors as blobs: little-endian float32, four bytes a dimension.
enum VectorCoding {
    static func encode(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func decode(_ data: Data) -> [Float] {
        let count = data.count / 4
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                for index in 0..<count {
                    buffer[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                }
            }
            initialized = count
        }
    }
}

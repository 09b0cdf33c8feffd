import COpenBLAS
import Foundation

/// One document's passages as the index holds them: ids, search text and vectors. Text for
/// display is read from the store for the few chunks an answer uses, so memory stays near the
/// vectors' size.
public struct IndexedDocument: Sendable {
    public struct Passage: Sendable {
        public let chunkID: UUID
        public let ordinal: Int
        /// What BM25 sees: the title and heading path with the passage.
        public let searchText: String
        /// Unit length, or nil when the document has not been embedded yet.
        public let vector: [Float]?

        public init(chunkID: UUID, ordinal: Int, searchText: String, vector: [Float]?) {
            self.chunkID = chunkID
            self.ordinal = ordinal
            self.searchText = searchText
            self.vector = vector
        }
    }

    public let id: UUID
    public let title: String
    public let category: String
    public let source: String
    public let passages: [Passage]

    public init(id: UUID, title: String, category: String, source: String, passages: [Passage]) {
        self.id = id
        self.title = title
        self.category = category
        self.source = source
        self.passages = passages
    }
}

/// Narrows a search to one category and/or one source platform.
public struct SearchFilter: Sendable, Equatable {
    public var category: String?
    public var source: String?
    /// The categories searched at all (a chatbot's), nil for every one; `category` narrows within them.
    public var categories: Set<String>?

    public init(category: String? = nil, source: String? = nil, categories: Set<String>? = nil) {
        self.category = category
        self.source = source
        self.categories = categories
    }
}

/// How a search ranks: words alone, vectors alone, or both fused.
public enum SearchMode: String, Sendable, CaseIterable {
    case bm25, vector, hybrid
}

/// A passage found by a search, with what each ranker thought of it.
public struct SearchHit: Sendable {
    public let chunkID: UUID
    public let documentID: UUID
    public let ordinal: Int
    /// Reciprocal-rank-fusion score (or the single ranker's score in a single mode).
    public let score: Double
    /// Cosine similarity of the passage to the question, when both have vectors.
    public let cosine: Float?
    public let bm25: Float?
    public let bm25Rank: Int?
    public let vectorRank: Int?
}

/// A workspace's search index in memory: BM25 over passage text and cosine over embeddings,
/// fused by reciprocal rank fusion (k = 60), with filters by category and source.
///
/// Passages live in slots. Removing a document marks its slots dead (searches skip them at
/// once); BM25's document frequencies keep counting dead slots until ``deadFraction`` makes
/// the owner rebuild the index from the store. Thread-safe: searches share a read lock.
public final class HybridIndex: @unchecked Sendable {
    /// Set by the first vector added (the embedder decides it: 384 for the built-in model).
    private var dimensions: Int?
    private let tokenizer: WordTokenizer
    private let lock = ReadWriteLock()

    // Per slot.
    private var chunkIDs: [UUID] = []
    private var ordinals: [Int32] = []
    private var slotDocument: [Int32] = []
    private var lengths: [Float] = []
    private var alive: [Bool] = []
    private var hasVector: [Bool] = []
    private var vectors: [Float] = []
    // Per document (an index into `documents`).
    private var documents: [IndexedDocument] = []
    private var documentSlots: [UUID: (document: Int32, slots: [Int32])] = [:]
    // BM25.
    private struct Posting {
        var slot: Int32
        var frequency: Float
    }
    private var termIDs: [String: Int32] = [:]
    private var postings: [[Posting]] = []
    private var liveCount = 0
    private var liveLength: Float = 0

    private static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public static let fusionK = 60.0
    /// How much each ranker's reciprocal rank counts in the fusion. Words weigh less than
    /// meaning: on the retrieval-quality questions equal weights let common words ("customers",
    /// "team") pull look-alike passages to the top (hybrid top-1 69 % against vectors' 76 %);
    /// at 0.3 BM25 mostly settles near-ties and adds what vectors miss (names, codes, numbers).
    public static let fusionWeights = (bm25: 0.3, vector: 1.0)
    public static let bm25K1: Float = 1.2
    public static let bm25B: Float = 0.75

    public init(dimensions: Int? = nil, tokenizer: WordTokenizer = WordTokenizer()) {
        self.dimensions = dimensions
        self.tokenizer = tokenizer
        // Before any search runs a product (see MatrixKernels.active).
        _ = MatrixKernels.active
    }

    /// Passages that can be found.
    public var count: Int { lock.read { liveCount } }

    /// Share of slots that are dead; above about a quarter a rebuild pays for itself.
    public var deadFraction: Double {
        lock.read { chunkIDs.isEmpty ? 0 : Double(chunkIDs.count - liveCount) / Double(chunkIDs.count) }
    }

    public func contains(document id: UUID) -> Bool { lock.read { documentSlots[id] != nil } }

    /// Adds a document, replacing what the index held for it.
    public func upsert(_ document: IndexedDocument) {
        // Tokenize outside the lock; searches go on meanwhile.
        let terms = document.passages.map { tokenizer.terms($0.searchText) }
        lock.write {
            removeLocked(document.id)
            let documentIndex = Int32(documents.count)
            // Only the document's description is kept; its passages live in the arrays below.
            documents.append(IndexedDocument(id: document.id, title: document.title, category: document.category, source: document.source, passages: []))
            var slots: [Int32] = []
            slots.reserveCapacity(document.passages.count)
            for (passage, passageTerms) in zip(document.passages, terms) {
                let slot = Int32(chunkIDs.count)
                slots.append(slot)
                chunkIDs.append(passage.chunkID)
                ordinals.append(Int32(passage.ordinal))
                slotDocument.append(documentIndex)
                lengths.append(Float(passageTerms.count))
                alive.append(true)
                if let vector = passage.vector, !vector.isEmpty, dimensions == nil {
                    dimensions = vector.count
                    vectors = [Float](repeating: 0, count: hasVector.count * vector.count)
                }
                if let vector = passage.vector, let dimensions, vector.count == dimensions {
                    vectors.append(contentsOf: vector)
                    hasVector.append(true)
                } else {
                    vectors.append(contentsOf: repeatElement(0, count: dimensions ?? 0))
                    hasVector.append(false)
                }
                var frequencies: [Int32: Float] = [:]
                for term in passageTerms {
                    let id: Int32
                    if let known = termIDs[term] {
                        id = known
                    } else {
                        id = Int32(postings.count)
                        termIDs[term] = id
                        postings.append([])
                    }
                    frequencies[id, default: 0] += 1
                }
                for (term, frequency) in frequencies { postings[Int(term)].append(Posting(slot: slot, frequency: frequency)) }
                liveCount += 1
                liveLength += Float(passageTerms.count)
            }
            documentSlots[document.id] = (documentIndex, slots)
        }
    }

    /// Drops a document from results at once.
    public func remove(document id: UUID) {
        lock.write { removeLocked(id) }
    }

    private func removeLocked(_ id: UUID) {
        guard let entry = documentSlots.removeValue(forKey: id) else { return }
        for slot in entry.slots where alive[Int(slot)] {
            alive[Int(slot)] = false
            liveCount -= 1
            liveLength -= lengths[Int(slot)]
        }
    }

    /// The best `limit` passages for a query in the given mode. `queryVector` (unit length) is
    /// needed for the vector and hybrid modes; without it hybrid falls back to BM25.
    public func search(
        _ query: String, vector queryVector: [Float]?, mode: SearchMode = .hybrid, filter: SearchFilter = SearchFilter(), limit: Int = 10
    ) -> [SearchHit] {
        let queryTerms = Array(Set(tokenizer.terms(query)))
        return lock.read {
            let allowed = allowedDocuments(filter)
            let depth = max(limit, 50)
            let lexical = mode == .vector ? [] : bm25(queryTerms, allowed: allowed, limit: depth)
            let semantic = (mode == .bm25 || queryVector == nil) ? [] : cosine(queryVector!, allowed: allowed, limit: depth)
            var fused: [Int32: (score: Double, bm25: Float?, bm25Rank: Int?, cosine: Float?, vectorRank: Int?)] = [:]
            for (rank, hit) in lexical.enumerated() {
                fused[hit.slot, default: (0, nil, nil, nil, nil)].score +=
                    mode == .bm25 ? Double(hit.score) : Self.fusionWeights.bm25 / (Self.fusionK + Double(rank + 1))
                fused[hit.slot]!.bm25 = hit.score
                fused[hit.slot]!.bm25Rank = rank + 1
            }
            for (rank, hit) in semantic.enumerated() {
                fused[hit.slot, default: (0, nil, nil, nil, nil)].score +=
                    mode == .vector ? Double(hit.score) : Self.fusionWeights.vector / (Self.fusionK + Double(rank + 1))
                fused[hit.slot]!.cosine = hit.score
                fused[hit.slot]!.vectorRank = rank + 1
            }
            // Passages found by words alone still get their cosine, for confidence.
            if let queryVector {
                for (slot, entry) in fused where entry.cosine == nil && hasVector[Int(slot)] && queryVector.count == dimensions {
                    fused[slot]!.cosine = dot(queryVector, slot: Int(slot))
                }
            }
            return fused.sorted { $0.value.score != $1.value.score ? $0.value.score > $1.value.score : $0.key < $1.key }
                .prefix(limit)
                .map { slot, entry in
                    SearchHit(
                        chunkID: chunkIDs[Int(slot)], documentID: documents[Int(slotDocument[Int(slot)])].id,
                        ordinal: Int(ordinals[Int(slot)]), score: entry.score, cosine: entry.cosine, bm25: entry.bm25,
                        bm25Rank: entry.bm25Rank, vectorRank: entry.vectorRank)
                }
        }
    }

    /// How rare each term is among the live passages: BM25's inverse document frequency, the
    /// highest for a term no passage has. Terms are as ``WordTokenizer/terms(_:)`` gives them.
    public func rarity(of terms: [String]) -> [Float] {
        lock.read {
            let n = Float(max(liveCount, 1))
            return terms.map { term in
                let frequency = termIDs[term].map { Float(min(postings[Int($0)].count, liveCount)) } ?? 0
                return logf(1 + (n - frequency + 0.5) / (frequency + 0.5))
            }
        }
    }

    /// The document a hit belongs to (title, category, source; without its passages).
    public func document(_ id: UUID) -> IndexedDocument? {
        lock.read { documentSlots[id].map { documents[Int($0.document)] } }
    }

    // MARK: - Rankers (called under the read lock)

    /// nil when nothing is filtered out.
    private func allowedDocuments(_ filter: SearchFilter) -> [Bool]? {
        guard filter.category != nil || filter.source != nil || filter.categories != nil else { return nil }
        return documents.map { document in
            (filter.category.map { $0 == document.category } ?? true) && (filter.source.map { $0 == document.source } ?? true)
                && (filter.categories?.contains(document.category) ?? true)
        }
    }

    private func bm25(_ terms: [String], allowed: [Bool]?, limit: Int) -> [(slot: Int32, score: Float)] {
        guard liveCount > 0 else { return [] }
        let n = Float(liveCount)
        let averageLength = max(liveLength / n, 1)
        // Dense accumulators: cheaper than a dictionary when common terms touch many slots.
        var scores = [Float](repeating: 0, count: chunkIDs.count)
        var touched: [Int32] = []
        for term in terms {
            guard let id = termIDs[term] else { continue }
            let list = postings[Int(id)]
            let frequency = Float(min(list.count, liveCount))
            let idf = logf(1 + (n - frequency + 0.5) / (frequency + 0.5))
            for posting in list {
                let slot = Int(posting.slot)
                guard alive[slot], allowed.map({ $0[Int(slotDocument[slot])] }) ?? true else { continue }
                let tf = posting.frequency
                let norm = tf + Self.bm25K1 * (1 - Self.bm25B + Self.bm25B * lengths[slot] / averageLength)
                if scores[slot] == 0 { touched.append(posting.slot) }
                scores[slot] += idf * tf * (Self.bm25K1 + 1) / norm
            }
        }
        var top = TopK(limit)
        for slot in touched { top.insert(slot, scores[Int(slot)]) }
        return top.sorted()
    }

    private func cosine(_ query: [Float], allowed: [Bool]?, limit: Int) -> [(slot: Int32, score: Float)] {
        let count = chunkIDs.count
        guard count > 0, let dimensions, query.count == dimensions else { return [] }
        var scores = [Float](repeating: 0, count: count)
        // One matrix-vector product over every slot, its rows split over the cores (memory
        // bandwidth is the limit); dead and filtered slots are skipped after.
        vectors.withUnsafeBufferPointer { matrix in
            query.withUnsafeBufferPointer { q in
                scores.withUnsafeMutableBufferPointer { out in
                    let shared = SharedSlices(matrix: matrix.baseAddress!, query: q.baseAddress!, out: out.baseAddress!)
                    let slices = count >= 20_000 ? Self.cores : 1
                    DispatchQueue.concurrentPerform(iterations: slices) { slice in
                        let start = count * slice / slices
                        let end = count * (slice + 1) / slices
                        guard start < end else { return }
                        cblas_sgemv(
                            CblasRowMajor, CblasNoTrans, Int32(end - start), Int32(dimensions), 1,
                            shared.matrix + start * dimensions, Int32(dimensions), shared.query, 1, 0, shared.out + start, 1)
                    }
                }
            }
        }
        var top = TopK(limit)
        for slot in 0..<count where alive[slot] && hasVector[slot] {
            if let allowed, !allowed[Int(slotDocument[slot])] { continue }
            top.insert(Int32(slot), scores[slot])
        }
        return top.sorted()
    }

    private func dot(_ query: [Float], slot: Int) -> Float {
        var sum: Float = 0
        let base = slot * query.count
        for index in 0..<query.count { sum += query[index] * vectors[base + index] }
        return sum
    }
}

/// Pointers handed to the parallel slices of the vector scan; each writes its own rows.
private struct SharedSlices: @unchecked Sendable {
    let matrix: UnsafePointer<Float>
    let query: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
}

/// The `k` highest scores seen, kept in a small sorted buffer (k is tens; inputs are many).
struct TopK {
    private let capacity: Int
    private var items: [(slot: Int32, score: Float)] = []

    init(_ capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity + 1)
    }

    mutating func insert(_ slot: Int32, _ score: Float) {
        if items.count == capacity, let last = items.last, score <= last.score { return }
        var index = items.count
        while index > 0, items[index - 1].score < score { index -= 1 }
        items.insert((slot, score), at: index)
        if items.count > capacity { items.removeLast() }
    }

    func sorted() -> [(slot: Int32, score: Float)] { items }
}

/// Many readers or one writer (pthread rwlock); searches never wait on one another.
final class ReadWriteLock: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    init() { pthread_rwlock_init(lock, nil) }
    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func read<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func write<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}

import Foundation
import Testing

@testable import Knowledge

@Suite("Hybrid index")
struct HybridIndexTests {
    /// A unit vector pointing mostly along `axis` (of 4).
    static func vector(_ axis: Int, _ lean: Float = 0) -> [Float] {
        var v: [Float] = [lean, lean, lean, lean]
        v[axis] = 1
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    static func document(_ title: String, category: String = "Docs", source: String = "dropbox", _ passages: [(String, [Float]?)]) -> IndexedDocument {
        IndexedDocument(
            id: UUID(), title: title, category: category, source: source,
            passages: passages.enumerated().map { offset, passage in
                .init(chunkID: UUID(), ordinal: offset, searchText: passage.0, vector: passage.1)
            })
    }

    @Test("BM25 ranks by rare shared words, vectors by direction, and fusion finds what either finds")
    func rankers() {
        // given three documents: one matches the words, one the meaning, one neither
        let index = HybridIndex()
        let words = Self.document("Invoices", [("invoice INV-2025-044 is overdue by 23 days", Self.vector(0))])
        let meaning = Self.document("Payments", [("late payments and reminders to customers", Self.vector(1))])
        let neither = Self.document("Holidays", [("paid holiday and learning budget", Self.vector(2))])
        [words, meaning, neither].forEach(index.upsert)
        // when searched with words from one and the direction of the other
        let query = "overdue invoice"
        let direction = Self.vector(1, 0.1)
        // then each ranker prefers its own, and hybrid ranks both above the third
        #expect(index.search(query, vector: direction, mode: .bm25).first?.documentID == words.id)
        #expect(index.search(query, vector: direction, mode: .vector).first?.documentID == meaning.id)
        let fused = index.search(query, vector: direction, mode: .hybrid).map(\.documentID)
        #expect(Set(fused.prefix(2)) == [words.id, meaning.id])
        #expect(index.search(query, vector: direction, mode: .hybrid).first { $0.documentID == words.id }?.cosine != nil)
    }

    @Test("filters by category and source; a removed or replaced document leaves results at once")
    func filtersAndRemoval() {
        let index = HybridIndex()
        let hr = Self.document("Handbook", category: "HR", source: "google_drive", [("holiday policy twenty eight days", Self.vector(0))])
        let finance = Self.document("Budget", category: "Finance", source: "microsoft", [("holiday budget for the team", Self.vector(0, 0.2))])
        index.upsert(hr)
        index.upsert(finance)
        #expect(index.search("holiday", vector: Self.vector(0), filter: SearchFilter(category: "Finance")).map(\.documentID) == [finance.id])
        #expect(index.search("holiday", vector: Self.vector(0), filter: SearchFilter(source: "google_drive")).map(\.documentID) == [hr.id])
        #expect(index.search("holiday", vector: Self.vector(0), filter: SearchFilter(category: "Legal")).isEmpty)
        // when one is removed
        index.remove(document: hr.id)
        #expect(index.search("holiday", vector: Self.vector(0)).map(\.documentID) == [finance.id])
        #expect(index.count == 1)
        // and when the other is replaced by a new revision, only the new text is found
        index.upsert(
            IndexedDocument(
                id: finance.id, title: "Budget", category: "Finance", source: "microsoft",
                passages: [
                    .init(chunkID: UUID(), ordinal: 0, searchText: "travel costs", vector: Self.vector(3))
                ]))
        #expect(index.search("holiday", vector: nil, mode: .bm25).isEmpty)
        #expect(index.search("travel", vector: nil, mode: .bm25).map(\.documentID) == [finance.id])
        #expect(index.deadFraction > 0.5)
    }

    @Test("passages without vectors are still found by words; hybrid without a question vector falls back to BM25")
    func missingVectors() {
        let index = HybridIndex()
        let plain = Self.document("Notes", [("quarterly notes on churn", nil)])
        index.upsert(plain)
        #expect(index.search("churn", vector: nil).map(\.documentID) == [plain.id])
        #expect(index.search("churn", vector: Self.vector(0), mode: .vector).isEmpty)
    }
}

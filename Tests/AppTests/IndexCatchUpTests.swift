import CirrusCore
import FluentKit
import Foundation
import Knowledge
import Testing

@testable import App

/// The in-memory search index follows the change sequence: a search sees every document
/// committed before it started, even while another catch-up is under way.
@Suite("Search index catch-up")
struct IndexCatchUpTests {
    @Test("a search that starts while another catch-up is still reloading waits for it, and finds the new document")
    func concurrentCatchUps() async throws {
        // given: a loaded (empty) index
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            let knowledge = KnowledgeBase(store: store, embedder: nil, tokenizer: nil, logger: TestHarness.logger)
            let workspace = owner.$workspace.id
            _ = try await knowledge.index(for: workspace)
            var missed = 0
            for round in 0..<8 {
                // and a document committed with its change (enough passages that a reload takes a while)
                let marker = "zebrafinch\(round)"
                try await store.database.transaction { db in
                    let document = KnowledgeDocument()
                    document.$workspace.id = workspace
                    document.title = "Round \(round)"
                    document.sourcePlatform = .googleDrive
                    document.sourceFileID = "round-\(round)"
                    document.category = "Rounds"
                    document.sizeBytes = 10
                    document.status = .ready
                    document.chunkCount = 800
                    try await document.create(on: db)
                    for ordinal in 0..<800 {
                        let chunk = KnowledgeChunk()
                        chunk.$document.id = try document.requireID()
                        chunk.$workspace.id = workspace
                        chunk.ordinal = ordinal
                        chunk.text = "Passage \(ordinal) of round \(round) mentions \(marker) among many other ordinary words to tokenise."
                        chunk.headingPath = ""
                        try await chunk.create(on: db)
                    }
                    try await KnowledgeBase.recordChange(on: db, workspaceID: workspace, documentID: try document.requireID())
                }
                // when: a background catch-up is reloading the document (800 passages to tokenise)
                // and a search starts. The pause only makes it likely that the background pass has
                // read the sequence before the search asks; the search must be right either way.
                let background = Task { try await knowledge.catchUp() }
                try await Task.sleep(for: .milliseconds(15))
                let index = try await knowledge.index(for: workspace)
                let hits = index.search(marker, vector: nil, mode: .bm25)
                try await background.value
                // then: the search saw the document
                if hits.isEmpty { missed += 1 }
            }
            #expect(missed == 0, "\(missed) of 8 searches ran on an index whose catch-up had not finished")
        }
    }
}

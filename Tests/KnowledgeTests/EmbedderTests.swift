import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Knowledge

/// The model directory the setup step unpacks (`make setup-test`), found from this file.
let modelDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("models/all-MiniLM-L6-v2")

struct Reference: Decodable {
    struct Item: Decodable {
        let text: String
        let input_ids: [Int32]
        let embedding: [Float]
    }
    let items: [Item]

    static func load() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/minilm-reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }
}

@Suite("Built-in embedder (all-MiniLM-L6-v2) against sentence-transformers")
struct EmbedderTests {
    @Test("the WordPiece tokenizer gives the ids of the model's own tokenizer, truncation included")
    func tokenizerMatches() throws {
        // given the reference sentences and the model's tokenizer.json
        let reference = try Reference.load()
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: modelDirectory.appendingPathComponent("tokenizer.json"))
        #expect(reference.items.count >= 30)
        // when each is encoded, then the ids are Hugging Face's
        for item in reference.items {
            #expect(tokenizer.encode(item.text, maxLength: 256) == item.input_ids, "\(item.text.prefix(60))")
        }
    }

    @Test("our vectors have cosine ≥ 0.999 with the reference library's, for every kind of sentence")
    func vectorsMatch() async throws {
        // given the reference vectors made by sentence-transformers (make_reference.py)
        let reference = try Reference.load()
        let embedder = try MiniLMEmbedder.shared(directory: modelDirectory)
        // when we embed the same sentences in one batch
        let vectors = try await embedder.embed(reference.items.map(\.text))
        // then each is unit length and points the same way as the reference
        let cosines = zip(reference.items, vectors).map { item, vector in zip(item.embedding, vector).reduce(0) { $0 + $1.0 * $1.1 } }
        print(
            "built-in embedder vs sentence-transformers, \(cosines.count) sentences: lowest cosine \(cosines.min() ?? 0), mean \(cosines.reduce(0, +) / Float(cosines.count))"
        )
        for (item, vector) in zip(reference.items, vectors) {
            #expect(vector.count == 384)
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
            let cosine = zip(item.embedding, vector).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(cosine >= 0.999, "cosine \(cosine) for \(item.text.prefix(60))")
        }
        // and a batch gives what one text alone gives
        let alone = try await embedder.embed([reference.items[2].text])[0]
        #expect(zip(alone, vectors[2]).reduce(0) { $0 + $1.0 * $1.1 } > 0.99999)
    }

    @Test("concurrent requests share forward passes, keep their own results, and a question is not stuck behind a long document")
    func requestsInterleave() async throws {
        // given a long document's 400 passages already queued and its first pass done (a model of
        // this test's own, whose passes are the document's alone), then a question
        let embedder = try MiniLMEmbedder(directory: modelDirectory)
        let started = embedder.passesRun
        let passages = (1...400).map { "Passage \($0) of the handbook explains how expense claim number \($0) is approved." }
        let question = "How are expense claims approved?"
        let finished = Mutex<[String]>([])
        async let long: [[Float]] = {
            let vectors = try await embedder.embed(passages)
            finished.withLock { $0.append("document") }
            return vectors
        }()
        // Not a fixed sleep: on a fast or a loaded machine one bets wrong either way.
        try await eventually("the document's first pass runs", every: .milliseconds(5)) { embedder.passesRun > started }
        let short = try await embedder.embed([question])
        finished.withLock { $0.append("question") }
        let document = try await long
        // then the question was answered first, and every vector is the one embedding it alone gives
        #expect(finished.withLock { $0 } == ["question", "document"])
        #expect(document.count == 400)
        let alone = embedder.embedNow([question, passages[0], passages[399]])
        for (a, b) in zip([short[0], document[0], document[399]], alone) {
            #expect(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } > 0.99999)
        }
    }

    @Test("a question goes before the remainders of long documents queued ahead of it: it waits for the pass under way, not a piece of each")
    func shortRequestsFirst() async throws {
        // given four long documents queued and the first pass done, so what is left of the first
        // is under the short-request size (a model of this test's own: the shared one counts
        // other suites' passes too)
        let embedder = try MiniLMEmbedder(directory: modelDirectory)
        let started = embedder.passesRun
        let documents = (1...4).map { document in (1...140).map { "Document \(document), passage \($0): how claim \($0) is approved." } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for passages in documents { group.addTask { _ = try await embedder.embed(passages) } }
            try await eventually("the documents' first pass runs", every: .milliseconds(5)) { embedder.passesRun > started }
            // when a question arrives
            let (_, waited) = await embedder.embedCountingPasses(["How are claims approved?"])
            // then it came back after the pass under way and its own, not after what is left of a
            // document ahead of it (4 passes or more)
            #expect(waited <= 2, "\(waited) passes")
            try await group.waitForAll()
        }
    }

    @Test("a missing model directory is a clear error")
    func missingModel() {
        #expect(throws: EmbedderError.self) { try MiniLMEmbedder(directory: URL(fileURLWithPath: "/nonexistent/model")) }
    }
}

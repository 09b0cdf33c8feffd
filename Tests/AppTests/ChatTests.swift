import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import Knowledge
import TestSupport
import Testing

@testable import App

/// Asking the knowledge base: retrieval, extractive and generated answers, citations.
@Suite("Chat with cited sources")
struct ChatTests {
    static let productDocs = ["Product Overview.pdf", "Feature Guide.docx", "API Documentation.pdf"]

    /// Connects Google Drive and imports Product Docs' three files; returns the driver.
    static func importProductDocs(_ client: TestClient) async throws -> ConnectDriver {
        let driver = try await ImportTests.connected(client, .googleDrive)
        let folder = try await ImportTests.walk(client, driver, .googleDrive, ["Product Docs"])
        let inside = try await ImportTests.browse(client, driver, .googleDrive, folder: folder["id"] as! String)
        let ids = try productDocs.map { try #require(ImportTests.find($0, in: inside)?["id"] as? String) }
        let job = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: ids, category: "Product Documentation")
        #expect(job["status"] as? String == "completed")
        return driver
    }

    static func ask(_ client: TestClient, _ driver: ConnectDriver, _ question: String, category: String? = nil) async throws -> [String: Any] {
        var body: [String: Any] = ["question": question]
        if let category { body["category"] = category }
        let reply = try await client.json(.post, "/api/v1/chat", body, bearer: driver.bearer)
        #expect(reply.status == .ok, "\(reply.body.prefix(300))")
        return try reply.json()
    }

    static func sources(_ answer: [String: Any]) -> [[String: Any]] { answer["sources"] as? [[String: Any]] ?? [] }

    @Test("the seed's question is answered from Feature Guide.docx with a citation and a confidence; unrelated ones get \"I don't know\"")
    func seedQuestion() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the product docs imported
            let driver = try await Self.importProductDocs(client)
            // when the seed's question is asked
            let answer = try await Self.ask(client, driver, "What are the main features of our product?")
            // then the answer quotes the Feature Guide, marks it [1], and cites it with a calibrated confidence
            let text = try #require(answer["answer"] as? String)
            let first = try #require(Self.sources(answer).first)
            #expect(first["title"] as? String == "Feature Guide.docx", "\(answer)")
            #expect(first["source_type"] as? String == "google_drive")
            #expect(first["document_id"] as? String != nil)
            #expect((first["url"] as? String)?.hasPrefix("http") == true)
            let confidence = try #require(first["confidence"] as? Int)
            #expect((50...100).contains(confidence), "\(confidence)")
            #expect(text.contains("[1]"), "\(text)")
            #expect(!text.contains("I don't know"))
            // and a question the documents do not answer gets no made-up answer
            let unknown = try await Self.ask(client, driver, "Who won the football world cup in 1966?")
            #expect((unknown["answer"] as? String)?.hasPrefix("I don't know") == true, "\(unknown)")
            #expect(Self.sources(unknown).isEmpty)
            // and the admin is told why: the year is nowhere in the closest passages
            let declined = try #require(unknown["declined"] as? [String: Any], "\(unknown)")
            #expect(declined["code"] as? String == "missing_terms")
            #expect((declined["reason"] as? String)?.contains("1966") == true, "\(declined)")
            #expect(answer["declined"] == nil)
            // and a category with nothing in it finds nothing
            let filtered = try await Self.ask(client, driver, "What are the main features of our product?", category: "Human Resources")
            #expect(Self.sources(filtered).isEmpty)
            // and a source filter narrows the search to one platform
            let dropboxOnly = try await client.json(
                .post, "/api/v1/chat", ["question": "What are the main features of our product?", "source": "dropbox"], bearer: driver.bearer)
            #expect(Self.sources(try dropboxOnly.json()).isEmpty)
            // and the questions are counted by outcome
            let metrics = try await client.get("/metrics").body
            #expect(metrics.contains(#"cirrus_chat_questions_total{mode="extractive",outcome="answered"}"#), "\(metrics.suffix(2000))")
            #expect(metrics.contains(#"outcome="unknown"}"#))
            // and an empty question is a clear 400
            let empty = try await client.json(.post, "/api/v1/chat", ["question": "  "], bearer: driver.bearer)
            #expect(empty.status == .badRequest)
            #expect(empty.body.contains("empty_question"))
        }
    }

    @Test("a deleted document disappears from answers at once, and another process's index follows the change sequence")
    func changesReachEveryIndex() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.importProductDocs(client)
            // given a second knowledge base over the same store, as another process would have
            try await harness.withStore { store in
                let other = KnowledgeBase(
                    store: store, embedder: try MiniLMEmbedder.shared(directory: TestHarness.modelDirectory), tokenizer: nil, logger: TestHarness.logger)
                let workspace = try #require(try await Workspace.query(on: store.database).first()?.id)
                let question = "What are the main features of our product?"
                let vector = try await other.embedQuestion(question)
                func titles() async throws -> Set<String> {
                    let index = try await other.index(for: workspace)
                    return Set(index.search(question, vector: vector, limit: 10).compactMap { index.document($0.documentID)?.title })
                }
                #expect(try await titles().contains("Feature Guide.docx"))
                // when the Feature Guide is deleted through the API
                let documents = try await client.get("/api/v1/documents", bearer: driver.bearer).json()["documents"] as? [[String: Any]] ?? []
                let guide = try #require(documents.first { $0["title"] as? String == "Feature Guide.docx" }?["id"] as? String)
                #expect(try await client.send(.delete, "/api/v1/documents/\(guide)", headers: [.authorization: "Bearer \(driver.bearer ?? "")"]).status == .ok)
                // then this server's answers no longer cite it
                let answer = try await Self.ask(client, driver, question)
                #expect(!Self.sources(answer).contains { $0["title"] as? String == "Feature Guide.docx" }, "\(answer)")
                // and the other index drops it on its next search
                let after = try await titles()
                #expect(!after.contains("Feature Guide.docx"))
                #expect(after.contains("Product Overview.pdf"))
                // and a document imported now shows up there too
                let folder = try await ImportTests.walk(client, driver, .googleDrive, ["Product Docs"])
                let inside = try await ImportTests.browse(client, driver, .googleDrive, folder: folder["id"] as! String)
                let id = try #require(ImportTests.find("Feature Guide.docx", in: inside)?["id"] as? String)
                _ = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [id], category: "Product Documentation")
                #expect(try await titles().contains("Feature Guide.docx"))
            }
        }
    }

    @Test("with CIRRUS_LLM_URL the answer is written by the model from the retrieved passages only, streamed, with the same citations")
    func languageModelAnswers() async throws {
        let fake = FakeOpenAI()
        try await fake.run { url in
            let harness = try await TestHarness.make([AppConfig.Key.llmURL: url, AppConfig.Key.llmModel: "tiny-test-model"])
            try await harness.withServer { client in
                let driver = try await Self.importProductDocs(client)
                // when asked for a streamed answer
                var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(driver.bearer ?? "")", .accept: "text/event-stream"]
                headers[.accept] = "text/event-stream"
                let reply = try await client.send(
                    .post, "/api/v1/chat", headers: headers, body: #"{"question":"What are the main features of our product?"}"#, withCookies: false)
                // then sources come first, then the model's words in pieces, then the whole answer
                #expect(reply.status == .ok)
                #expect(reply.headers[.contentType] == "text/event-stream")
                let events = reply.body.components(separatedBy: "\n\n").compactMap { block -> String? in
                    block.split(separator: "\n").first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
                }
                #expect(events.first == "sources")
                #expect(events.filter { $0 == "delta" }.count > 3)
                #expect(events.last == "done")
                #expect(reply.body.contains("Feature Guide.docx"))
                // and the model was given the retrieved passages, numbered, and told to use only them
                let request = try #require(fake.chatRequests.last)
                #expect(request["model"] as? String == "tiny-test-model")
                #expect(request["stream"] as? Bool == true)
                let messages = request["messages"] as? [[String: Any]] ?? []
                let system = messages.first?["content"] as? String ?? ""
                #expect(system.contains("[1] Feature Guide.docx"))
                #expect(system.contains("only the numbered sources"))
                #expect(messages.last?["content"] as? String == "What are the main features of our product?")
                // and the JSON form returns the same answer whole
                let whole = try await Self.ask(client, driver, "What are the main features of our product?")
                #expect(whole["answer"] as? String == fake.reply)
                #expect(Self.sources(whole).first?["title"] as? String == "Feature Guide.docx")
            }
        }
    }

    @Test("a German question is restated in English by the model for retrieval and answered in German; the model's \"I don't know\" is a decline")
    func otherLanguageWithModel() async throws {
        // given a model that restates the question and then finds no answer in the sources
        let fake = FakeOpenAI(reply: Answerer.unknown, translation: "What are the main features of our product?")
        try await fake.run { url in
            let harness = try await TestHarness.make([AppConfig.Key.llmURL: url, AppConfig.Key.llmModel: "tiny-test-model"])
            try await harness.withServer { client in
                let driver = try await Self.importProductDocs(client)
                // when a German question is asked
                let question = "Was sind die wichtigsten Funktionen unseres Produkts?"
                let answer = try await Self.ask(client, driver, question)
                // then the model was first asked to translate it, and the English found the Feature Guide
                let requests = fake.chatRequests.map { $0["messages"] as? [[String: Any]] ?? [] }
                #expect(requests.count == 2)
                let translate = try #require(requests.first)
                #expect((translate.first?["content"] as? String)?.contains("from German into English") == true)
                #expect(translate.last?["content"] as? String == question)
                let grounded = try #require(requests.last)
                let system = grounded.first?["content"] as? String ?? ""
                #expect(system.contains("Feature Guide.docx"), "\(system.prefix(300))")
                #expect(system.contains("Write the answer in German"))
                #expect(grounded.last?["content"] as? String == question)
                // and the model's "I don't know" stands, with no sources and its reason
                #expect(answer["answer"] as? String == Answerer.unknown)
                #expect(Self.sources(answer).isEmpty)
                let declined = try #require(answer["declined"] as? [String: Any], "\(answer)")
                #expect(declined["code"] as? String == "not_in_sources")
            }
        }
    }

    @Test("a remote OpenAI-compatible embedder is used when configured, and switching embedders re-embeds the knowledge base")
    func remoteEmbedderAndReembedding() async throws {
        let fake = FakeOpenAI()
        try await fake.run { url in
            // given a server using the remote embedder
            let remote = try await TestHarness.make([AppConfig.Key.embeddingsURL: url, AppConfig.Key.embeddingsModel: "fake-embed"])
            try await remote.withServer { client in
                let driver = try await Self.importProductDocs(client)
                let answer = try await Self.ask(client, driver, "What are the main features of our product?")
                #expect(!Self.sources(answer).isEmpty)
            }
            #expect(fake.embeddingInputs > 3)
            let before = try await remote.withStore { store in
                try await KnowledgeChunk.query(on: store.database).all().compactMap(\.embedding).map(\.count)
            }
            #expect(!before.isEmpty && before.allSatisfy { $0 == FakeOpenAI.dimensions * 4 })
            // when the same installation restarts with the built-in embedder
            var switched = remote
            switched.config.embeddingsURL = nil
            let builtIn = switched
            try await builtIn.withServer { client in
                // then every chunk is re-embedded in the background with 384 dimensions
                let models = try await eventually("every document is re-embedded", timeout: .seconds(60), every: .milliseconds(300)) { () -> [String?]? in
                    let models = try await builtIn.withStore { store in try await KnowledgeDocument.query(on: store.database).all().map(\.embeddingModel) }
                    return !models.isEmpty && models.allSatisfy({ $0 == "builtin:all-MiniLM-L6-v2" }) ? models : nil
                }
                #expect(!models.isEmpty && models.allSatisfy { $0 == "builtin:all-MiniLM-L6-v2" }, "\(models)")
                let after = try await builtIn.withStore { store in
                    try await KnowledgeChunk.query(on: store.database).all().compactMap(\.embedding).map(\.count)
                }
                #expect(after.every { $0 == 384 * 4 })
                let driver = try await ConnectTests.signedIn(client)
                let answer = try await Self.ask(client, driver, "What are the main features of our product?")
                #expect(Self.sources(answer).first?["title"] as? String == "Feature Guide.docx")
            }
        }
    }
}

import FluentKit
import Foundation
import HTTPTypes
import Knowledge
import Testing

@testable import App

/// Conversations: turns kept, follow-ups understood from the turns before, one person's alone.
@Suite("Conversations with follow-ups")
struct ConversationTests {
    @Test("a follow-up is searched with the previous turn's subject and answered from the right file; listed, reopened, deleted; nobody else's")
    func followUps() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the product docs imported and a conversation started
            let driver = try await ChatTests.importProductDocs(client)
            let started = try await client.json(.post, "/api/v1/conversations", [:], bearer: driver.bearer)
            #expect(started.status == .created, "\(started.body.prefix(300))")
            let id = try #require(try started.json()["id"] as? String)
            func ask(_ question: String) async throws -> [String: Any] {
                let reply = try await client.json(.post, "/api/v1/conversations/\(id)/messages", ["question": question], bearer: driver.bearer)
                #expect(reply.status == .ok, "\(reply.body.prefix(300))")
                return try reply.json()
            }
            // when a question and then a follow-up that leans on it are asked
            let first = try await ask("What is agent assist?")
            let followUp = try await ask("Which plans include it?")
            // then the first is searched as asked and the follow-up with the first's subject and source
            #expect(first["searchedAs"] as? String == "What is agent assist?")
            let searched = try #require(followUp["searchedAs"] as? String)
            #expect(searched.hasPrefix("Which plans include it?") && searched.contains("agent assist"), "\(searched)")
            let sources = followUp["sources"] as? [[String: Any]] ?? []
            #expect(sources.first?["title"] as? String == "Feature Guide.docx", "\(followUp)")
            #expect((followUp["answer"] as? String)?.contains("[1]") == true, "\(followUp)")
            // and a question that stands on its own is searched as asked
            let standalone = try await ask("How many requests per minute does the API allow?")
            #expect(standalone["searchedAs"] as? String == "How many requests per minute does the API allow?")
            // and the conversation reopens with its turns in order, named after its first question
            let reopened = try await client.get("/api/v1/conversations/\(id)", bearer: driver.bearer).json()
            #expect(reopened["title"] as? String == "What is agent assist?")
            let turns = reopened["turns"] as? [[String: Any]] ?? []
            #expect(
                turns.map { $0["question"] as? String } == [
                    "What is agent assist?", "Which plans include it?", "How many requests per minute does the API allow?",
                ])
            let listed = try await client.get("/api/v1/conversations", bearer: driver.bearer).json()["conversations"] as? [[String: Any]] ?? []
            #expect(listed.map { $0["id"] as? String } == [id])
            // and a streamed follow-up is kept too
            let streamed = try await client.send(
                .post, "/api/v1/conversations/\(id)/messages",
                headers: [.contentType: "application/json", .authorization: "Bearer \(driver.bearer ?? "")", .accept: "text/event-stream"],
                body: #"{"question":"And what happens above that?"}"#, withCookies: false)
            #expect(streamed.status == .ok)
            #expect(streamed.body.contains("event: done"), "\(streamed.body.prefix(500))")
            let after = try await client.get("/api/v1/conversations/\(id)", bearer: driver.bearer).json()["turns"] as? [[String: Any]] ?? []
            #expect(after.count == 4)
            #expect((after.last?["searchedAs"] as? String)?.contains("requests") == true, "\(after.last ?? [:])")

            // and another person of the workspace sees nothing of it
            let workspace = try await harness.withStore { store in
                try await User.query(on: store.database).filter(\.$email == TestHarness.ownerEmail).first()?.$workspace.id
            }
            try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: workspace)
            let member = try await client.apiToken(email: "member@example.com", password: "member's long password")
            #expect(try await client.get("/api/v1/conversations/\(id)", bearer: member).status == .notFound)
            #expect(
                try await client.json(.post, "/api/v1/conversations/\(id)/messages", ["question": "Which plans include it?"], bearer: member).status
                    == .notFound)
            #expect(try await client.send(.delete, "/api/v1/conversations/\(id)", headers: [.authorization: "Bearer \(member)"]).status == .notFound)
            let theirs = try await client.get("/api/v1/conversations", bearer: member).json()["conversations"] as? [[String: Any]] ?? []
            #expect(theirs.isEmpty)
            // and deleting it removes it and its turns
            #expect(try await client.send(.delete, "/api/v1/conversations/\(id)", headers: [.authorization: "Bearer \(driver.bearer ?? "")"]).status == .ok)
            #expect(try await client.get("/api/v1/conversations/\(id)", bearer: driver.bearer).status == .notFound)
            let remaining = try await harness.withStore { store in try await ConversationTurn.query(on: store.database).count() }
            #expect(remaining == 0)
        }
    }

    @Test("with a language model, the model rewrites a follow-up from the conversation before it is searched")
    func modelRewritesFollowUps() async throws {
        // given a model whose every reply is the standalone question
        let fake = FakeOpenAI(reply: "Which plans include agent assist?")
        try await fake.run { url in
            let harness = try await TestHarness.make([AppConfig.Key.llmURL: url, AppConfig.Key.llmModel: "tiny-test-model"])
            try await harness.withServer { client in
                let driver = try await ChatTests.importProductDocs(client)
                let id = try #require(try await client.json(.post, "/api/v1/conversations", ["title": "Plans"], bearer: driver.bearer).json()["id"] as? String)
                // when a question and a follow-up are asked
                for question in ["What is agent assist?", "Which plans include it?"] {
                    let reply = try await client.json(.post, "/api/v1/conversations/\(id)/messages", ["question": question], bearer: driver.bearer)
                    #expect(reply.status == .ok, "\(reply.body.prefix(300))")
                }
                // then the follow-up was rewritten by the model from the transcript and searched so
                let rewrite = try #require(
                    fake.chatRequests.compactMap { $0["messages"] as? [[String: Any]] }.first {
                        ($0.first?["content"] as? String)?.hasPrefix("Rewrite the user's last question") == true
                    })
                #expect((rewrite.first?["content"] as? String)?.contains("User: What is agent assist?") == true)
                #expect(rewrite.last?["content"] as? String == "Which plans include it?")
                let turns = try await client.get("/api/v1/conversations/\(id)", bearer: driver.bearer).json()["turns"] as? [[String: Any]] ?? []
                #expect(turns.last?["searchedAs"] as? String == "Which plans include agent assist?")
                #expect(turns.last?["question"] as? String == "Which plans include it?")
            }
        }
    }

    @Test("the follow-up heuristic: pointing words, openers and bare questions lean on the turn before; a full question stands alone")
    func heuristic() {
        let previous = FollowUp.Turn(searchedAs: "What is agent assist?", firstSource: "Feature Guide.docx")
        #expect(FollowUp.standalone("Which plans include it?", after: previous) == "Which plans include it? (agent assist — Feature Guide)")
        #expect(FollowUp.standalone("And the price?", after: previous).contains("agent assist"))
        #expect(FollowUp.standalone("How many requests per minute does the API allow?", after: previous) == "How many requests per minute does the API allow?")
        #expect(FollowUp.standalone("Which plans include it?", after: nil) == "Which plans include it?")
    }
}

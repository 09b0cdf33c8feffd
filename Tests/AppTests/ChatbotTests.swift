import FluentKit
import Foundation
import HTTPTypes
import Knowledge
import Testing

@testable import App

/// The chatbot's settings: kept per workspace, changed by admins, applied to every answer.
@Suite("Chatbot settings")
struct ChatbotTests {
    static func settings(_ client: TestClient, _ driver: ConnectDriver) async throws -> [String: Any] {
        let reply = try await client.get("/api/v1/chatbot", bearer: driver.bearer)
        #expect(reply.status == .ok, "\(reply.body.prefix(300))")
        return try reply.json()
    }

    static func change(_ client: TestClient, _ driver: ConnectDriver, _ change: [String: Any]) async throws -> TestClient.Reply {
        try await client.json(.patch, "/api/v1/chatbot", change, bearer: driver.bearer)
    }

    @Test("the API changes the chatbot's categories, caution, wording and contact link, and every answer follows; bad values are a clear 400")
    func settingsApplyToAnswers() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the product docs imported, and the chatbot as a new workspace has it
            let driver = try await ChatTests.importProductDocs(client)
            let defaults = try await Self.settings(client, driver)
            #expect(defaults["name"] as? String == "Cirrus Assistant")
            #expect(defaults["minimumSupport"] as? Int == 50)
            #expect(defaults["answerStyle"] as? String == "written")
            #expect(defaults["categories"] as? [String] == [])
            #expect(defaults["showsSourceLinks"] as? Bool == false)
            let question = "What are the main features of our product?"
            #expect(ChatTests.sources(try await ChatTests.ask(client, driver, question)).first?["title"] as? String == "Feature Guide.docx")

            // when the chatbot may answer from another category only, in its own words
            let wording = "Sorry, I could not find that in our documents."
            let changed = try await Self.change(
                client, driver, ["categories": ["Human Resources", " "], "unknownAnswer": wording, "contactUrl": "mailto:help@example.com"])
            #expect(changed.status == .ok, "\(changed.body.prefix(300))")
            #expect(try changed.json()["categories"] as? [String] == ["Human Resources"])
            // then the product docs are out of its reach, and it says so its way, with the contact link
            let outside = try await ChatTests.ask(client, driver, question)
            #expect(outside["answer"] as? String == wording, "\(outside)")
            #expect(ChatTests.sources(outside).isEmpty)
            let declined = try #require(outside["declined"] as? [String: Any])
            #expect(declined["code"] as? String == "nothing_found")
            #expect(declined["contactUrl"] as? String == "mailto:help@example.com")
            // and the untouched fields kept their values
            #expect(try await Self.settings(client, driver)["name"] as? String == "Cirrus Assistant")

            // when it answers from the product docs but needs complete support
            #expect(try await Self.change(client, driver, ["categories": ["Product Documentation"], "minimumSupport": 100]).status == .ok)
            // then even the seed's question is "I don't know", for weak evidence
            let cautious = try await ChatTests.ask(client, driver, question)
            #expect((cautious["declined"] as? [String: Any])?["code"] as? String == "weak_evidence", "\(cautious)")
            #expect(cautious["answer"] as? String == wording)
            // and with none needed it answers again, citing the Feature Guide
            #expect(try await Self.change(client, driver, ["minimumSupport": 0]).status == .ok)
            let lenient = try await ChatTests.ask(client, driver, question)
            #expect(ChatTests.sources(lenient).first?["title"] as? String == "Feature Guide.docx", "\(lenient)")
            #expect(lenient["declined"] == nil)

            // and values it cannot use are refused, naming the field, and change nothing
            for bad: [String: Any] in [
                ["contactUrl": "javascript:alert(1)"], ["minimumSupport": 150], ["name": "  "], ["answerStyle": "poetic"],
                ["systemPrompt": String(repeating: "x", count: 4001)],
            ] {
                let refused = try await Self.change(client, driver, bad)
                #expect(refused.status == .badRequest, "\(bad): \(refused.body.prefix(200))")
            }
            let refused = try await Self.change(client, driver, ["contactUrl": "javascript:alert(1)"])
            #expect(refused.body.contains("invalid_chatbot_settings") && refused.body.contains("contactUrl"), "\(refused.body)")
            #expect(try await Self.settings(client, driver)["contactUrl"] as? String == "mailto:help@example.com")
            // and the change is in the activity log
            let activity = try await client.get("/api/v1/activity", bearer: driver.bearer).body
            #expect(activity.contains("chatbot_changed"))
        }
    }

    @Test("the Chatbot page shows the settings escaped and saves the form (CSRF-checked); a member reads it but cannot save")
    func settingsPage() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the owner signed in to the pages, with one category imported
            let driver = try await ChatTests.importProductDocs(client)
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/chatbot")
            #expect(page.status == .ok)
            #expect(page.body.contains(#"value="Product Documentation""#))
            let token = try #require(TestClient.csrfToken(in: page.body))
            // when the form is posted with a name that looks like markup, the category ticked and links left unticked
            let saved = try await client.postForm(
                "/admin/chatbot",
                [
                    ("_csrf", token), ("name", "<b>Helper</b>"), ("greeting", "Hello there"), ("categories[]", "Product Documentation"),
                    ("unknownAnswer", "No idea, sorry."), ("minimumSupport", "65"), ("answerStyle", "quoted"), ("systemPrompt", ""),
                    ("contactUrl", "https://example.com/support"),
                ])
            // then it is saved and shown escaped, here and on the Chat page
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.status) \(saved.body.prefix(300))")
            let settings = try await Self.settings(client, driver)
            #expect(settings["name"] as? String == "<b>Helper</b>")
            #expect(settings["categories"] as? [String] == ["Product Documentation"])
            #expect(settings["minimumSupport"] as? Int == 65)
            #expect(settings["answerStyle"] as? String == "quoted")
            #expect(settings["showsSourceLinks"] as? Bool == false)
            #expect(settings["systemPrompt"] == nil)
            let reread = try await client.get("/admin/chatbot").body
            #expect(reread.contains("&lt;b&gt;Helper&lt;/b&gt;") && !reread.contains("<b>Helper</b>"))
            #expect(reread.contains(#"value="Product Documentation" checked"#), "\(reread)")
            let chat = try await client.get("/admin/chat").body
            #expect(chat.contains("&lt;b&gt;Helper&lt;/b&gt;") && chat.contains("Hello there"))
            // and a bad value gets the page back with the reason, saving nothing
            let bad = try await client.postForm(
                "/admin/chatbot", [("_csrf", token), ("name", "Helper"), ("unknownAnswer", "No idea."), ("minimumSupport", "lots")])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("minimumSupport must be a percentage from 0 to 100"))
            // and a post without the CSRF token is refused
            let forged = try await client.postForm("/admin/chatbot", [("name", "Forged"), ("unknownAnswer", "x"), ("minimumSupport", "1")])
            #expect(forged.status == .forbidden)
            #expect(try await Self.settings(client, driver)["name"] as? String == "<b>Helper</b>")

            // and a member reads the page, disabled, and cannot post it
            let workspace = try await harness.withStore { store in
                try await User.query(on: store.database).filter(\.$email == TestHarness.ownerEmail).first()?.$workspace.id
            }
            try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: workspace)
            let member = client.anotherBrowser()
            try await member.signIn(email: "member@example.com", password: "member's long password")
            let theirs = try await member.get("/admin/chatbot")
            #expect(theirs.status == .ok && theirs.body.contains("disabled"))
            let memberToken = try #require(TestClient.csrfToken(in: theirs.body))
            let attempt = try await member.postForm(
                "/admin/chatbot", [("_csrf", memberToken), ("name", "Member's"), ("unknownAnswer", "x"), ("minimumSupport", "1")])
            #expect(attempt.status == .forbidden)
        }
    }

    @Test(
        "with a language model: quoted answers never ask it, the system prompt follows the grounding rules, its \"I don't know\" is said in the chatbot's words"
    )
    func languageModelSettings() async throws {
        let fake = FakeOpenAI(reply: Answerer.unknown)
        try await fake.run { url in
            let harness = try await TestHarness.make([AppConfig.Key.llmURL: url, AppConfig.Key.llmModel: "tiny-test-model"])
            try await harness.withServer { client in
                let driver = try await ChatTests.importProductDocs(client)
                let question = "What are the main features of our product?"
                // given answers that are to be quoted
                #expect(try await Self.change(client, driver, ["answerStyle": "quoted"]).status == .ok)
                // when asked, then the model is not, and the answer quotes the Feature Guide
                let quoted = try await ChatTests.ask(client, driver, question)
                #expect(fake.chatRequests.isEmpty)
                #expect(ChatTests.sources(quoted).first?["title"] as? String == "Feature Guide.docx")
                #expect((quoted["answer"] as? String)?.contains("[1]") == true)

                // given written answers with instructions and a wording of its own
                let wording = "That is not in our documents; please write to us."
                #expect(
                    try await Self.change(
                        client, driver, ["answerStyle": "written", "systemPrompt": "Answer like a friendly pirate.", "unknownAnswer": wording]
                    ).status == .ok)
                // when the model finds no answer, by JSON and streamed
                let whole = try await ChatTests.ask(client, driver, question)
                let streamed = try await client.send(
                    .post, "/api/v1/chat",
                    headers: [.contentType: "application/json", .authorization: "Bearer \(driver.bearer ?? "")", .accept: "text/event-stream"],
                    body: #"{"question":"What are the main features of our product?"}"#, withCookies: false)
                // then the instructions came after the grounding rules
                let system = (fake.chatRequests.last?["messages"] as? [[String: Any]])?.first?["content"] as? String ?? ""
                let rules = try #require(system.range(of: "only the numbered sources"))
                let instructions = try #require(system.range(of: "Answer like a friendly pirate."))
                #expect(rules.upperBound < instructions.lowerBound)
                // and the chatbot's own words were said, never the model's
                #expect(whole["answer"] as? String == wording, "\(whole)")
                #expect((whole["declined"] as? [String: Any])?["code"] as? String == "not_in_sources")
                #expect(streamed.body.contains(wording), "\(streamed.body.prefix(600))")
                #expect(!streamed.body.contains("I don't know"), "\(streamed.body.prefix(600))")
            }
        }
    }
}

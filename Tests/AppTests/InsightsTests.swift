import FluentKit
import Foundation
import HTTPTypes
import Knowledge
import Testing

@testable import App

/// Insights: what the chatbot was asked, where, how it did, and what it could not answer.
@Suite("Insights")
struct InsightsTests {
    @Test("questions from every channel are counted by day and outcome; unanswered ones are grouped by meaning; ratings and CSV follow")
    func insightsFromEveryChannel() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the product docs, and questions asked by the API, a conversation and the widget
            let driver = try await ChatTests.importProductDocs(client)
            _ = try await ChatTests.ask(client, driver, "What are the main features of our product?")
            _ = try await ChatTests.ask(client, driver, "Does Beacon integrate with Salesforce?")
            _ = try await ChatTests.ask(client, driver, "=HYPERLINK(\"https://evil.example\",\"Salesforce, please\")")
            let conversation = try #require(try await client.json(.post, "/api/v1/conversations", [:], bearer: driver.bearer).json()["id"] as? String)
            let asked = try await client.json(
                .post, "/api/v1/conversations/\(conversation)/messages", ["question": "Is there a Salesforce integration for Beacon?"],
                bearer: driver.bearer)
            let turn = try #require(try asked.json()["id"] as? String)
            let site = try await WidgetTests.enable(client, driver)
            let token = try await WidgetTests.session(client, site: site)
            let widget = try await WidgetTests.call(
                client, "/api/v1/widget/\(site)/messages", token: token, ["question": "Who won the football world cup in 1966?"])
            #expect(widget.status == .ok)
            // and one answer rated down with a comment
            let rated = try await client.json(
                .post, "/api/v1/conversations/\(conversation)/turns/\(turn)/feedback", ["rating": "down", "comment": "We need Salesforce"],
                bearer: driver.bearer)
            #expect(rated.status == .noContent, "\(rated.body.prefix(200))")
            let channels = try await harness.withStore { store in try await AskedQuestion.query(on: store.database).all().map(\.channel) }
            #expect(Set(channels) == [.api, .conversation, .widget])

            // when the admin reads the Insights
            let report = try await harness.withStore { store in
                let workspace = try await User.query(on: store.database).filter(\.$email == TestHarness.ownerEmail).first()?.$workspace.id
                return try await InsightsService(store: store, embedder: try MiniLMEmbedder.shared(directory: TestHarness.modelDirectory))
                    .report(for: try #require(workspace))
            }
            // then today counts five questions, one answered
            #expect(report.days.first?.asked == 5)
            #expect(report.days.first?.answered == 1, "\(report.days.first.map { "\($0)" } ?? "")")
            #expect(report.days.count == 30)
            // and the two ways of asking about Salesforce are one gap, the world cup another
            let salesforce = try #require(report.gaps.first)
            #expect(salesforce.count == 2, "\(report.gaps.map { ($0.question, $0.count) })")
            #expect(
                Set([salesforce.question] + salesforce.examples) == ["Is there a Salesforce integration for Beacon?", "Does Beacon integrate with Salesforce?"])
            #expect(report.gaps.contains { $0.question.contains("1966") && $0.count == 1 })
            // and the rating is listed with its comment
            #expect(report.lowestRated.first?.comment == "We need Salesforce")
            #expect(report.lowestRated.first?.question == "Is there a Salesforce integration for Beacon?")

            // and the page shows them, escaped, to admins only
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/insights")
            #expect(page.status == .ok)
            #expect(page.body.contains("5 questions in the last 30 days, 4 answered “I don&#39;t know”"), "\(page.body.prefix(3000))")
            #expect(page.body.contains("We need Salesforce"))
            #expect(page.body.contains("=HYPERLINK(&quot;") && !page.body.contains("=HYPERLINK(\""))
            // and the CSV has every question, a formula made harmless, commas and quotes escaped
            let csv = try await client.get("/admin/insights/questions.csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            let lines = csv.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first == "asked_at,channel,question,outcome,reason")
            #expect(lines.count == 6)
            #expect(lines.contains { $0.contains(",widget,Who won the football world cup in 1966?,declined,") })
            #expect(lines.contains { $0.contains(#","'=HYPERLINK(""https://evil.example"",""Salesforce, please"")",declined,"#) }, "\(lines)")
            let ratings = try await client.get("/admin/insights/ratings.csv").body
            #expect(ratings.contains("Is there a Salesforce integration for Beacon?") && ratings.contains(",down,We need Salesforce"))
        }
    }

    @Test("without an embedder, unanswered questions are grouped by the words they share")
    func groupsByWords() async {
        let gaps = await InsightsService.gaps(
            ["Does Beacon integrate with Salesforce?", "Salesforce integration for Beacon?", "What does the enterprise plan cost in euros?"], embedder: nil)
        #expect(gaps.map(\.count) == [2, 1])
        #expect(gaps.first?.question == "Does Beacon integrate with Salesforce?")
        #expect(gaps.first?.examples == ["Salesforce integration for Beacon?"])
    }
}

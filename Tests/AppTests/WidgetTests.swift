import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import Testing

@testable import App

/// The website widget's public API: origins checked on every request, anonymous visitors with
/// short-lived tokens, their conversations, ratings and rate limits.
@Suite("Website widget")
struct WidgetTests {
    static let allowed = "https://www.example.com"

    /// Switches the widget on for `origins` and returns its site key.
    static func enable(_ client: TestClient, _ driver: ConnectDriver, origins: [String] = [allowed]) async throws -> String {
        let reply = try await client.json(.patch, "/api/v1/widget", ["enabled": true, "allowedOrigins": origins], bearer: driver.bearer)
        #expect(reply.status == .ok, "\(reply.body.prefix(300))")
        return try #require(try reply.json()["siteKey"] as? String)
    }

    /// A widget call as a browser on `origin` makes it.
    static func call(
        _ client: TestClient, _ path: String, origin: String? = allowed, token: String? = nil, _ body: [String: Any] = [:],
        method: HTTPRequest.Method = .post
    ) async throws -> TestClient.Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let origin { headers[.origin] = origin }
        if let token { headers[WidgetPublicAPI.visitorHeader] = token }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await client.send(method, path, headers: headers, body: method == .options ? nil : text, withCookies: false)
    }

    static func session(_ client: TestClient, site: String, origin: String = allowed) async throws -> String {
        let reply = try await call(client, "/api/v1/widget/\(site)/session", origin: origin)
        #expect(reply.status == .ok, "\(reply.body.prefix(300))")
        return try #require(try reply.json()["token"] as? String)
    }

    @Test("only listed origins get a visitor token and CORS; a visitor asks, follows up in context, rates; sources show no links unless allowed")
    func visitorsAskFromAllowedOrigins() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the product docs imported and the widget switched on for one origin (written loosely)
            let driver = try await ChatTests.importProductDocs(client)
            let site = try await Self.enable(client, driver, origins: ["HTTPS://www.Example.com/", "http://127.0.0.1:5555"])
            let settings = try await client.get("/api/v1/widget", bearer: driver.bearer).json()
            #expect(settings["allowedOrigins"] as? [String] == ["https://www.example.com", "http://127.0.0.1:5555"])
            #expect((settings["snippet"] as? String)?.contains(#"data-cirrus-site="\#(site)""#) == true)

            // when a page on the allowed origin starts a session, then it gets a token, the chatbot and CORS for itself
            let preflight = try await Self.call(client, "/api/v1/widget/\(site)/session", method: .options)
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == Self.allowed)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("X-Cirrus-Visitor") == true)
            let started = try await Self.call(client, "/api/v1/widget/\(site)/session")
            #expect(started.status == .ok)
            #expect(started.headers[.accessControlAllowOrigin] == Self.allowed)
            let session = try started.json()
            #expect((session["chatbot"] as? [String: Any])?["name"] as? String == "Cirrus Assistant")
            let token = try #require(session["token"] as? String)

            // and pages elsewhere, or without an origin, or naming no site, get a 403 and no CORS
            for (path, origin) in [
                ("/api/v1/widget/\(site)/session", "https://evil.example"), ("/api/v1/widget/\(site)/session", nil),
                ("/api/v1/widget/not-a-site/session", Self.allowed), ("/api/v1/widget/\(site)/messages", "https://www.example.com.evil.example"),
            ] as [(String, String?)] {
                let refused = try await Self.call(client, path, origin: origin, token: token, ["question": "What are the main features?"])
                #expect(refused.status == .forbidden, "\(path) from \(origin ?? "nowhere"): \(refused.status)")
                #expect(refused.headers[.accessControlAllowOrigin] == nil)
                #expect(refused.body.contains("origin_not_allowed"))
            }
            let evilPreflight = try await Self.call(client, "/api/v1/widget/\(site)/messages", origin: "https://evil.example", method: .options)
            #expect(evilPreflight.status == .forbidden)
            #expect(evilPreflight.headers[.accessControlAllowOrigin] == nil)

            // and a question needs a token of this site: none or a forged one is a 401 the page can read
            for bad in [nil, "forged", token + "x"] as [String?] {
                let refused = try await Self.call(client, "/api/v1/widget/\(site)/messages", token: bad, ["question": "Hello?"])
                #expect(refused.status == .unauthorized, "\(bad ?? "none")")
                #expect(refused.headers[.accessControlAllowOrigin] == Self.allowed)
            }

            // when the visitor asks the seed's question and then a follow-up in the same conversation
            let first = try await Self.call(
                client, "/api/v1/widget/\(site)/messages", token: token, ["question": "What are the main features of our product?"])
            #expect(first.status == .ok, "\(first.body.prefix(300))")
            let answered = try first.json()
            let conversation = try #require(answered["conversationId"] as? String)
            let turn = try #require(answered["turn"] as? [String: Any])
            let sources = turn["sources"] as? [[String: Any]] ?? []
            // then the answer cites the Feature Guide by title, without the internal Drive link
            #expect(sources.first?["title"] as? String == "Feature Guide.docx", "\(turn)")
            #expect(sources.allSatisfy { $0["url"] == nil })
            #expect((turn["answer"] as? String)?.contains("[1]") == true)
            let followUp = try await Self.call(
                client, "/api/v1/widget/\(site)/messages", token: token, ["question": "Which plans include it?", "conversationId": conversation])
            let second = try #require(try followUp.json()["turn"] as? [String: Any])
            #expect((second["searchedAs"] as? String)?.contains("Feature Guide") == true, "\(second)")
            #expect((second["sources"] as? [[String: Any]])?.first?["title"] as? String == "Feature Guide.docx", "\(second)")

            // and the visitor rates the answer, which is kept with the turn
            let turnID = try #require(turn["id"] as? String)
            let rated = try await Self.call(
                client, "/api/v1/widget/\(site)/feedback", token: token,
                ["conversationId": conversation, "turnId": turnID, "rating": "down", "comment": "I wanted the price too"])
            #expect(rated.status == .noContent, "\(rated.body.prefix(300))")
            let stored = try await harness.withStore { store in try await ConversationTurn.find(UUID(uuidString: turnID), on: store.database) }
            #expect(stored?.rating == -1)
            #expect(stored?.ratingComment == "I wanted the price too")

            // and another visitor can neither continue nor rate that conversation
            let stranger = try await Self.session(client, site: site)
            let theirs = try await Self.call(
                client, "/api/v1/widget/\(site)/messages", token: stranger, ["question": "And the price?", "conversationId": conversation])
            #expect(theirs.status == .notFound)
            let theirRating = try await Self.call(
                client, "/api/v1/widget/\(site)/feedback", token: stranger, ["conversationId": conversation, "turnId": turnID, "rating": "up"])
            #expect(theirRating.status == .notFound)

            // when the admin allows source links, then visitors get them
            #expect(try await client.json(.patch, "/api/v1/chatbot", ["showsSourceLinks": true], bearer: driver.bearer).status == .ok)
            let linked = try await Self.call(
                client, "/api/v1/widget/\(site)/messages", token: token, ["question": "What are the main features of our product?"])
            let linkedSources = (try linked.json()["turn"] as? [String: Any])?["sources"] as? [[String: Any]] ?? []
            #expect((linkedSources.first?["url"] as? String)?.hasPrefix("http") == true, "\(linkedSources)")

            // and a widget switched off answers no origin but the server's own (the settings page's preview)
            #expect(try await client.json(.patch, "/api/v1/widget", ["enabled": false], bearer: driver.bearer).status == .ok)
            #expect(try await Self.call(client, "/api/v1/widget/\(site)/session").status == .forbidden)
            let own = try #require(WidgetProfile.origin(harness.config.apiBaseURL))
            #expect(try await Self.call(client, "/api/v1/widget/\(site)/session", origin: own).status == .ok)

            // and bad settings are refused, naming the field
            let badOrigin = try await client.json(.patch, "/api/v1/widget", ["allowedOrigins": ["javascript:alert(1)"]], bearer: driver.bearer)
            #expect(badOrigin.status == .badRequest && badOrigin.body.contains("allowedOrigins"))
            let badColour = try await client.json(.patch, "/api/v1/widget", ["colour": "red; background: url(x)"], bearer: driver.bearer)
            #expect(badColour.status == .badRequest && badColour.body.contains("colour"))
        }
    }

    @Test("a visitor may ask so many questions a minute, and a site's visitors together so many; the 429 says when to come back")
    func rateLimits() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.widgetVisitorLimit: "2", AppConfig.Key.widgetSiteLimit: "3"])
        try await harness.withServer { client in
            // given the widget on, and two visitors
            let driver = try await ConnectTests.signedIn(client)
            let site = try await Self.enable(client, driver)
            let first = try await Self.session(client, site: site)
            let second = try await Self.session(client, site: site)
            func ask(_ token: String) async throws -> TestClient.Reply {
                try await Self.call(client, "/api/v1/widget/\(site)/messages", token: token, ["question": "What is the refund policy?"])
            }
            // when the first asks three times, then the third is refused for a while, readable by the page
            #expect(try await ask(first).status == .ok)
            #expect(try await ask(first).status == .ok)
            let limited = try await ask(first)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(limited.headers[.accessControlAllowOrigin] == Self.allowed)
            // and the second visitor's first question fills the site's allowance, so its second is refused too
            #expect(try await ask(second).status == .ok)
            #expect(try await ask(second).status == .tooManyRequests)
        }
    }

    @Test("a visitor token names its site and visitor, lasts an hour, and cannot be forged, moved or read")
    func visitorTokens() throws {
        // given tokens sealed with the server's key
        let tokens = VisitorTokens(vault: try TokenVault(keys: [Fernet.generateKey()]))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let (token, claims) = tokens.issue(site: "site-a", visitor: "visitor-1", now: now)
        // then it opens for its site within the hour, and not after, nor for another site
        #expect(try tokens.visitor(in: token, site: "site-a", now: now.addingTimeInterval(3599)) == "visitor-1")
        #expect(claims.expires == now.addingTimeInterval(3600))
        #expect(throws: WidgetError.self) { try tokens.visitor(in: token, site: "site-a", now: now.addingTimeInterval(3601)) }
        #expect(throws: WidgetError.self) { try tokens.visitor(in: token, site: "site-b", now: now) }
        // and another server's key, or a changed byte, opens nothing; nor does the token show what it holds
        let other = VisitorTokens(vault: try TokenVault(keys: [Fernet.generateKey()]))
        #expect(throws: WidgetError.self) { try other.visitor(in: token, site: "site-a", now: now) }
        var bytes = Array(token.utf8)
        bytes[bytes.count / 2] = bytes[bytes.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: WidgetError.self) { try tokens.visitor(in: String(decoding: bytes, as: UTF8.self), site: "site-a", now: now) }
        #expect(!token.contains("visitor-1") && !token.contains("site-a"))
    }

    @Test("the Website widget page shows the snippet and saves the form; origins are checked and shown as saved")
    func settingsPage() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given the owner signed in to the pages
            let driver = try await ConnectTests.signedIn(client)
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/widget")
            #expect(page.status == .ok)
            let site = try #require(try await client.get("/api/v1/widget", bearer: driver.bearer).json()["siteKey"] as? String)
            #expect(page.body.contains("data-cirrus-site=&quot;\(site)&quot;"), "the snippet, escaped")
            #expect(page.body.contains(#"<script src="/static/widget.js" data-cirrus-site="\#(site)""#), "the preview")
            let token = try #require(TestClient.csrfToken(in: page.body))
            // when the form is saved with two origins, a colour and the left corner
            let saved = try await client.postForm(
                "/admin/widget",
                [
                    ("_csrf", token), ("enabled", "true"), ("allowedOrigins", "https://www.example.com\r\nhttps://help.example.com:8443"),
                    ("colour", "#0F766E"), ("position", "left"), ("launcherText", "Questions?"),
                ])
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.status) \(saved.body.prefix(300))")
            // then the API shows them, and the page keeps them
            let settings = try await client.get("/api/v1/widget", bearer: driver.bearer).json()
            #expect(settings["allowedOrigins"] as? [String] == ["https://www.example.com", "https://help.example.com:8443"])
            #expect(settings["colour"] as? String == "#0f766e")
            #expect(settings["position"] as? String == "left")
            #expect(settings["enabled"] as? Bool == true)
            #expect(try await client.get("/admin/widget").body.contains("Questions?"))
            // and a line that is no origin gets the page back with the reason
            let bad = try await client.postForm(
                "/admin/widget",
                [("_csrf", token), ("allowedOrigins", "www.example.com/path"), ("colour", "#000000"), ("position", "right"), ("launcherText", "Hi")])
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("allowedOrigins must be origins like https://www.example.com"))
        }
    }
}

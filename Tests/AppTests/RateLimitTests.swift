import CirrusCore
import Foundation
import HTTPTypes
import Testing

@testable import App

/// The expensive routes have allowances per person and per workspace: a clear 429 with
/// `Retry-After` past them, configurable, counted in metrics, and kept in the store.
@Suite("Rate limits")
struct RateLimitTests {
    static let question = ["question": "What is our refund policy?"]

    @Test("a person over the chat allowance gets 429 with Retry-After; another person still asks; the refusal is counted")
    func perUser() async throws {
        // given: two questions a minute per person
        let harness = try await TestHarness.make([AppConfig.Key.rateLimits: "chat=2/100"])
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "admin@example.com", password: "admin's long password", role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when
            let allowed = [
                try await client.json(.post, "/api/v1/chat", Self.question, bearer: token).status,
                try await client.json(.post, "/api/v1/chat", Self.question, bearer: token).status,
            ]
            let refused = try await client.json(.post, "/api/v1/chat", Self.question, bearer: token)
            // then
            #expect(allowed == [.ok, .ok])
            #expect(refused.status == .tooManyRequests)
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...120).contains(retryAfter))
            #expect((try refused.json()["error"] as? [String: Any])?["code"] as? String == "rate_limited")
            #expect(refused.body.contains("Too many questions"))
            // and another person of the workspace, and routes that are not limited, are unaffected
            let other = try await client.apiToken(email: "admin@example.com", password: "admin's long password")
            #expect(try await client.json(.post, "/api/v1/chat", Self.question, bearer: other).status == .ok)
            #expect(try await client.get("/api/v1/documents", bearer: token).status == .ok)
            let metrics = try await client.get("/metrics").body
            #expect(metrics.contains(#"cirrus_rate_limited_total{action="chat",scope="user"} 1"#))
        }
    }

    @Test("a workspace over its allowance refuses everyone in it; the page says so in HTML")
    func perWorkspace() async throws {
        // given: three questions a minute for the whole workspace
        let harness = try await TestHarness.make([AppConfig.Key.rateLimits: "chat=10/3"])
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "admin@example.com", password: "admin's long password", role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let other = try await client.apiToken(email: "admin@example.com", password: "admin's long password")
            // when: the owner asks twice and the admin once, then the admin asks on the Chat page
            for bearer in [token, token, other] {
                #expect(try await client.json(.post, "/api/v1/chat", Self.question, bearer: bearer).status == .ok)
            }
            try await client.signIn(email: "admin@example.com", password: "admin's long password")
            let page = try await client.get("/admin/chat")
            let refused = try await client.postForm(
                "/admin/chat", [("_csrf", TestClient.csrfToken(in: page.body) ?? ""), ("question", "What is our refund policy?")])
            // then
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            #expect(refused.body.contains("<html") && refused.body.contains("Too many questions"))
            #expect(try await client.get("/metrics").body.contains(#"cirrus_rate_limited_total{action="chat",scope="workspace"} 1"#))
        }
    }

    @Test("each kind of expensive request is limited: OAuth starts, folder listings, imports, sync-now, questions")
    func everyKind() async throws {
        // given: one of each a minute
        let harness = try await TestHarness.make([AppConfig.Key.rateLimits: "connect=1/100,browse=1/100,import=1/100,sync=1/100,chat=1/100"])
        try await harness.bootstrapOwner()
        try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let requests: [(RateLimits.Action, HTTPRequest.Method, String, [String: Any]?)] = [
                (.connect, .get, "/api/v1/integrations/dropbox/connect", nil),
                (.browse, .get, "/api/v1/integrations/dropbox/files?folder_id=root", nil),
                (.import, .post, "/api/v1/integrations/dropbox/import", ["fileIds": ["x"], "category": "c"]),
                (.sync, .post, "/api/v1/sources/\(UUID())/sync", [:]),
                (.chat, .post, "/api/v1/chat", Self.question),
            ]
            for (action, method, path, body) in requests {
                // when: the same request twice
                func send() async throws -> TestClient.Reply {
                    if let body { return try await client.json(method, path, body, bearer: token) }
                    return try await client.send(method, path, headers: [.authorization: "Bearer \(token)"], withCookies: false)
                }
                let first = try await send()
                let second = try await send()
                // then: the first is answered as ever (a redirect, or not found with nothing connected), the second refused
                #expect(first.status != .tooManyRequests, "\(action)")
                #expect(second.status == .tooManyRequests, "\(action): \(second.status)")
                #expect(second.body.contains("Too many \(action.noun)"), "\(action)")
            }
        }
    }

    @Test("an API key has its own allowance, apart from its admin's")
    func perKey() async throws {
        // given
        let harness = try await TestHarness.make([AppConfig.Key.rateLimits: "chat=1/100"])
        try await harness.bootstrapOwner()
        try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let key = try #require(try await client.json(.post, "/api/v1/api-keys", ["name": "bot", "scope": "read"], bearer: token).json()["key"] as? String)
            // when / then
            #expect(try await client.json(.post, "/api/v1/chat", Self.question, bearer: key).status == .ok)
            #expect(try await client.json(.post, "/api/v1/chat", Self.question, bearer: key).status == .tooManyRequests)
            #expect(try await client.json(.post, "/api/v1/chat", Self.question, bearer: token).status == .ok)
        }
    }

    @Test("the wait is until the sliding minute lets the request in, refused requests not counted")
    func waits() {
        // under the allowance: no wait
        #expect(RateLimiter.wait(limit: 3, current: 3, previous: 0, elapsed: 10, window: 60) == 0)
        // over it with nothing before: until this minute's count, weighed in the next, leaves room
        // (at 20 s into the next minute 3 × 2/3 + 1 = 3)
        #expect(RateLimiter.wait(limit: 3, current: 4, previous: 0, elapsed: 10, window: 60) == 70)
        // a full previous minute: six seconds in, 10 × 0.9 + 1 = 10
        #expect(RateLimiter.wait(limit: 10, current: 1, previous: 10, elapsed: 0, window: 60) == 6)
        // the previous minute's weight fades: 10 × 0.5 + 5 = 10 is let through
        #expect(RateLimiter.wait(limit: 10, current: 5, previous: 10, elapsed: 30, window: 60) == 0)
        // never less than a second
        #expect(RateLimiter.wait(limit: 1, current: 2, previous: 0, elapsed: 59.99, window: 60) >= 1)
    }

    @Test("CIRRUS_RATE_LIMITS: named kinds override the defaults, 0 lifts one side, off lifts all, a typo stops start-up")
    func configuration() async throws {
        let tuned = try await AppConfig.load(environment: ["CIRRUS_RATE_LIMITS": "chat=5/0, import = 1/2"], environmentFile: "/nonexistent/.env")
        #expect(tuned.rateLimits.limits[.chat] == .init(perUser: 5, perWorkspace: 0))
        #expect(tuned.rateLimits.limits[.import] == .init(perUser: 1, perWorkspace: 2))
        #expect(tuned.rateLimits.limits[.browse] == RateLimits.defaults.limits[.browse])
        let defaults = try await AppConfig.load(environment: [:], environmentFile: "/nonexistent/.env")
        #expect(defaults.rateLimits == .defaults && RateLimits.Action.allCases.allSatisfy { defaults.rateLimits.limits[$0] != nil })
        #expect(try await AppConfig.load(environment: ["CIRRUS_RATE_LIMITS": "off"], environmentFile: "/nonexistent/.env").rateLimits == .off)
        for typo in ["chats=1/2", "chat=1", "chat=a/b", "chat=-1/2"] {
            await #expect(throws: ConfigError.self, "\(typo)") {
                try await AppConfig.load(environment: ["CIRRUS_RATE_LIMITS": typo], environmentFile: "/nonexistent/.env")
            }
        }
    }
}

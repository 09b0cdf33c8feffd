import AsyncHTTPClient
import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import App

/// Connecting, refreshing and disconnecting accounts against the sandbox over real HTTP.
@Suite("Connect and token lifecycle")
struct ConnectTests {
    static func signedIn(_ client: TestClient) async throws -> ConnectDriver {
        ConnectDriver(client: client, bearer: try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword))
    }

    @Test("each platform connects through its consent page; the account is stored and tokens are Fernet tokens at rest", arguments: Platform.allCases)
    func connect(platform: Platform) async throws {
        let harness = try await TestHarness.make()
        let plaintext = try await harness.withServer { client -> String in
            // given
            let driver = try await Self.signedIn(client)
            // when
            let reply = try await driver.connect(platform)
            // then: the seed's callback JSON
            #expect(reply.status == .ok)
            let body = try reply.json()
            #expect(body["success"] as? Bool == true)
            #expect(body["message"] as? String == "\(platform.displayName) connected successfully")
            let integration = body["integration"] as? [String: Any]
            #expect(integration?["platform"] as? String == platform.rawValue)
            #expect((integration?["accountEmail"] as? String)?.contains("@githafconsulting") == true)
            let list = try await client.get("/api/v1/integrations/", bearer: driver.bearer).json()["integrations"] as? [[String: Any]] ?? []
            let entry = list.first { $0["platform"] as? String == platform.rawValue }
            #expect(entry?["connected"] as? Bool == true)
            #expect(entry?["accountEmail"] as? String == integration?["accountEmail"] as? String)
            // and the card and the list show the scopes the provider granted
            let granted = try #require(entry?["scopes"] as? [String])
            #expect(!granted.isEmpty)
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/integrations").body
            let card = try #require(page.components(separatedBy: "data-platform=\"\(platform.rawValue)\"").dropFirst().first)
            #expect(card.contains("Granted") && granted.allSatisfy { card.contains("<code>\(HTMLEscape.text($0))</code>") }, "\(granted)")
            let account = try await client.get("/api/v1/integrations/\(platform.rawValue)/account", bearer: driver.bearer)
            #expect(account.status == .ok)
            return try account.json()["accountId"] as? String ?? ""
        }
        // and the stored tokens are sealed with the configured key
        try await harness.withStore { store in
            let row = try #require(try await UserIntegration.query(on: store.database).first())
            #expect(row.sealedAccessToken.hasPrefix("gAAAAA"))
            let vault = try TokenVault(keys: harness.config.encryptionKeys.map(\.revealed))
            let access = try vault.open(row.sealedAccessToken)
            #expect(!access.isEmpty && !row.sealedAccessToken.contains(access))
            #expect(row.providerAccountID == plaintext)
            #expect(row.sealedRefreshToken.map { (try? vault.open($0)) != nil } == true)
            if platform == .confluence { #expect(row.siteID == "1324a887-45db-1bf4-1e99-ef0ff456d421") }
        }
    }

    @Test(
        "an access token refused by the provider is refreshed once and the call succeeds; rotated refresh tokens are stored",
        arguments: [Platform.googleDrive, .microsoft, .confluence, .dropbox])
    func refreshOnExpiry(platform: Platform) async throws {
        let harness = try await TestHarness.make()
        let before = try await harness.withServer { client -> String in
            let driver = try await Self.signedIn(client)
            let started = try await driver.start(platform)
            _ = try await driver.callback(try await driver.consent(started))
            let sealedBefore = try await harness.withStore { try await UserIntegration.query(on: $0.database).first()?.sealedRefreshToken ?? "" }
            // when the provider expires every access token
            try await ConnectDriver.control(started.sandboxOrigin, "/tokens/expire", ["platform": platform.rawValue])
            let account = try await client.get("/api/v1/integrations/\(platform.rawValue)/account", bearer: driver.bearer)
            // then
            #expect(account.status == .ok)
            #expect(try await ConnectDriver.stats(started.sandboxOrigin, platform)["token.refresh_token"] == 1)
            return sealedBefore
        }
        try await harness.withStore { store in
            let row = try #require(try await UserIntegration.query(on: store.database).first())
            let vault = try TokenVault(keys: harness.config.encryptionKeys.map(\.revealed))
            let old = try vault.open(before)
            let new = try vault.open(try #require(row.sealedRefreshToken))
            // Microsoft and Atlassian rotate; Google and Dropbox keep the one they issued.
            #expect((old != new) == (platform == .microsoft || platform == .confluence))
            #expect(row.status == .active)
        }
    }

    @Test("a revoked grant marks the connection needs_reconnect and keeps it")
    func revocationNeedsReconnect() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.signedIn(client)
            let started = try await driver.start(.googleDrive)
            _ = try await driver.callback(try await driver.consent(started))
            try await ConnectDriver.control(started.sandboxOrigin, "/tokens/revoke", ["platform": "google_drive"])
            let account = try await client.get("/api/v1/integrations/google_drive/account", bearer: driver.bearer)
            #expect(account.status == .conflict)
            #expect((try account.json()["error"] as? [String: Any])?["code"] as? String == "needs_reconnect")
            let list = try await client.get("/api/v1/integrations/", bearer: driver.bearer).json()["integrations"] as? [[String: Any]] ?? []
            let drive = list.first { $0["platform"] as? String == "google_drive" }
            #expect(drive?["status"] as? String == "needs_reconnect")
            #expect(drive?["connected"] as? Bool == false)
            // Reconnect keeps the same row.
            _ = try await driver.connect(.googleDrive)
            let again = try await client.get("/api/v1/integrations/google_drive/account", bearer: driver.bearer)
            #expect(again.status == .ok)
        }
        let rows = try await harness.withStore { try await UserIntegration.query(on: $0.database).count() }
        #expect(rows == 1)
    }

    @Test("disconnect revokes at Google (the sandbox saw the revoke call) and deletes the tokens; Microsoft explains where to remove the app")
    func disconnect() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.signedIn(client)
            let started = try await driver.start(.googleDrive)
            _ = try await driver.callback(try await driver.consent(started))
            _ = try await driver.connect(.microsoft)
            let google = try await client.send(
                .delete, "/api/v1/integrations/google_drive", headers: [.authorization: "Bearer \(driver.bearer!)"], withCookies: false)
            #expect(google.status == .ok)
            #expect(try google.json()["success"] as? Bool == true)
            #expect(try google.json()["revokedAtProvider"] as? Bool == true)
            #expect(try await ConnectDriver.stats(started.sandboxOrigin, .googleDrive)["revoke"] == 1)
            let microsoft = try await client.send(
                .delete, "/api/v1/integrations/microsoft", headers: [.authorization: "Bearer \(driver.bearer!)"], withCookies: false)
            #expect(try microsoft.json()["revokedAtProvider"] as? Bool == false)
            #expect((try microsoft.json()["message"] as? String)?.contains("myapps.microsoft.com") == true)
            let activity = try await client.get("/api/v1/activity", bearer: driver.bearer).json()["events"] as? [[String: Any]] ?? []
            #expect(activity.filter { $0["action"] as? String == "integration_disconnected" }.count == 2)
            #expect(activity.filter { $0["action"] as? String == "integration_connected" }.count == 2)
        }
        let rows = try await harness.withStore { try await UserIntegration.query(on: $0.database).count() }
        #expect(rows == 0)
    }

    @Test("a denial at the provider is reported, as JSON and as a page that reports to the opener")
    func providerDenial() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.signedIn(client)
            let denied = try await driver.callback(try await driver.consent(try await driver.start(.confluence), decision: "deny"))
            #expect(denied.status == .badRequest)
            #expect((try denied.json()["error"] as? [String: Any])?["code"] as? String == "access_denied")
            let page = try await client.send(.get, "/api/v1/integrations/google_drive/callback?error=access_denied&state=nope", headers: [.accept: "text/html"])
            #expect(page.body.contains("oauth-result.js"))
            #expect(page.body.contains(#"data-outcome="error""#))
        }
        #expect(try await AttackTests.connections(harness) == 0)
    }

    @Test("a provider error parameter full of markup and line breaks is neither shown nor logged as sent")
    func hostileProviderError() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given: a flow started by the admin
            let driver = try await Self.signedIn(client)
            let state = try #require(try await driver.start(.googleDrive).state)
            // when: the callback arrives with a 20,000-character error code carrying markup
            let hostile = "<script>alert(1)</script>\n" + String(repeating: "x", count: 20_000)
            let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let reply = try await client.send(
                .get, "/api/v1/integrations/google_drive/callback?state=\(state)&error=\(encoded)",
                headers: [.accept: "application/json", .authorization: "Bearer \(driver.bearer!)"], withCookies: false)
            // then: the answer (an upstream failure) names a placeholder, and so does the audit log
            #expect(reply.status == .badGateway)
            #expect(!reply.body.contains("<script>"))
            #expect(reply.body.count < 1000)
            #expect(reply.body.contains("invalid_error_code"))
            let events = try await harness.withStore { try await AuditEvent.query(on: $0.database).all() }
            #expect(events.every { ($0.detail ?? "").count < 200 && !($0.detail ?? "").contains("<script>") })
            #expect(events.contains { ($0.detail ?? "").contains("invalid_error_code") })
        }
    }

    @Test("a callback carrying another user's state is refused, and users cannot touch each other's connections")
    func otherUser() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { _ in }
        try await harness.createUser(email: "mallory@example.org", password: "mallory's own password")
        try await harness.withServer { client in
            let owner = try await Self.signedIn(client)
            let path = try await owner.consent(try await owner.start(.googleDrive))
            // Mallory, signed in by cookie, follows the owner's callback link.
            try await client.signIn(email: "mallory@example.org", password: "mallory's own password")
            let stolen = try await client.send(.get, path, headers: [.accept: "application/json"])
            #expect(stolen.status == .forbidden)
            #expect((try stolen.json()["error"] as? [String: Any])?["code"] as? String == "state_mismatch")
            // The owner connects; Mallory can neither see nor disconnect it.
            _ = try await owner.connect(.dropbox)
            let mallory = try await client.apiToken(email: "mallory@example.org", password: "mallory's own password")
            let attempt = try await client.send(.delete, "/api/v1/integrations/dropbox", headers: [.authorization: "Bearer \(mallory)"], withCookies: false)
            #expect(attempt.status == .notFound)
            let theirs = try await client.get("/api/v1/integrations/dropbox/account", bearer: mallory)
            #expect(theirs.status == .notFound)
        }
        let rows = try await harness.withStore { try await UserIntegration.query(on: $0.database).count() }
        #expect(rows == 1)
    }

    @Test("a PKCE verifier that does not match is refused by the provider and nothing is stored")
    func pkceMismatch() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.signedIn(client)
            let path = try await driver.consent(try await driver.start(.microsoft))
            try await harness.withStore { store in
                let vault = try TokenVault(keys: harness.config.encryptionKeys.map(\.revealed))
                for state in try await OAuthState.query(on: store.database).all() {
                    state.sealedCodeVerifier = vault.seal("a-different-verifier-a-different-verifier-000000")
                    try await state.save(on: store.database)
                }
            }
            let reply = try await driver.callback(path)
            #expect(reply.status == .badGateway)
            #expect((try reply.json()["error"] as? [String: Any])?["code"] as? String == "provider_error")
        }
        let rows = try await harness.withStore { try await UserIntegration.query(on: $0.database).count() }
        #expect(rows == 0)
    }

    @Test("50 simultaneous calls on a connection whose token just expired cause exactly one refresh")
    func singleFlightRefresh() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let (driver, started) = try await Self.connectedWithTokenDue(client, harness: harness)
            try await ConnectDriver.control(started.sandboxOrigin, "/tokens/expire", ["platform": "microsoft"])
            // Fifty connections, so the calls really are simultaneous (the test client pipelines
            // its requests over one connection, one after another, each against its own timeout).
            let http = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 50)))
            let url = "http://127.0.0.1:\(client.port)/api/v1/integrations/microsoft/account"
            let bearer = try #require(driver.bearer)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        // A busy server (every database connection taken) answers 429 with
                        // Retry-After; a client comes back, as these do.
                        for _ in 0..<5 {
                            var request = HTTPClientRequest(url: url)
                            request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
                            let response = try await http.execute(request, timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            guard response.status == .tooManyRequests, let wait = response.headers.first(name: "Retry-After").flatMap(Int.init) else {
                                return Int(response.status.code)
                            }
                            try await Task.sleep(for: .seconds(wait))
                        }
                        return 429
                    }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            try await http.shutdown()
            #expect(statuses.count == 50 && statuses.every { $0 == 200 }, "\(statuses)")
            #expect(try await ConnectDriver.stats(started.sandboxOrigin, .microsoft)["token.refresh_token"] == 1)
        }
    }

    /// Connects Microsoft 365 and marks the stored token as about to expire, so the next call refreshes it.
    static func connectedWithTokenDue(_ client: TestClient, harness: TestHarness) async throws -> (ConnectDriver, ConnectDriver.Started) {
        let driver = try await signedIn(client)
        let started = try await driver.start(.microsoft)
        _ = try await driver.callback(try await driver.consent(started))
        try await harness.withStore { store in
            let row = try #require(try await UserIntegration.query(on: store.database).first())
            row.tokenExpiresAt = Date().addingTimeInterval(30)
            try await row.save(on: store.database)
        }
        return (driver, started)
    }

    @Test("when an Atlassian grant reaches several sites the admin chooses which one Cirrus reads")
    func confluenceSiteChoice() async throws {
        let harness = try await TestHarness.make()
        let main = "1324a887-45db-1bf4-1e99-ef0ff456d421"
        let labs = "8e2d7c61-93ab-4f05-b2c4-5a6d7e8f9012"
        try await harness.withServer { client in
            let driver = try await Self.signedIn(client)
            _ = try await driver.callback(try await driver.consent(try await driver.start(.confluence), site: main))
            // A second consent pass adds the other site to the same grant.
            _ = try await driver.callback(try await driver.consent(try await driver.start(.confluence), site: labs))
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/integrations")
            #expect(page.body.contains(#"name="resourceId""#) && page.body.contains(#"action="/admin/integrations/confluence/resource""#))
            #expect(page.body.contains("githaf-labs"))
            let headers: HTTPFields = [.authorization: "Bearer \(driver.bearer!)", .contentType: "application/json"]
            // the generic choice, and its first, Confluence-only spelling
            let chosen = try await client.send(
                .put, "/api/v1/integrations/confluence/resource", headers: headers, body: #"{"resourceId": "\#(main)"}"#, withCookies: false)
            #expect(chosen.status == .ok)
            #expect(try chosen.json()["url"] as? String == "https://githafconsulting.atlassian.net")
            let legacy = try await client.send(
                .put, "/api/v1/integrations/confluence/site", headers: headers, body: #"{"siteId": "\#(labs)"}"#, withCookies: false)
            #expect(legacy.status == .ok)
            #expect(try legacy.json()["url"] as? String == "https://githaf-labs.atlassian.net")
            let nothingToChoose = try await client.send(
                .put, "/api/v1/integrations/dropbox/resource", headers: headers, body: #"{"resourceId": "x"}"#, withCookies: false)
            #expect(nothingToChoose.status == .notFound)
            let unknown = try await client.send(
                .put, "/api/v1/integrations/confluence/site", headers: headers, body: #"{"siteId": "nope"}"#, withCookies: false)
            #expect((try unknown.json()["error"] as? [String: Any])?["code"] as? String == "unknown_site")
        }
        let row = try await harness.withStore { try await UserIntegration.query(on: $0.database).first() }
        #expect(row?.siteID == labs)
        #expect(row?.sites.count == 2)
    }

    @Test("members cannot connect accounts")
    func memberCannotConnect() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "member@example.com", password: "member password 1", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: "member@example.com", password: "member password 1")
            #expect(try await client.get("/api/v1/integrations/google_drive/connect", bearer: token).status == .forbidden)
            #expect(try await client.get("/api/v1/integrations/nowhere/connect", bearer: token).status == .forbidden)
        }
    }
}

import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import App

/// People are told when something needs them, in the app: a bell with a count, a list, and the
/// kinds each person mutes.
@Suite("Notifications")
struct NotificationTests {
    /// Imports Drive's Feature Guide with its download redirected to an unsafe address, so the file fails.
    static func failingImport(_ client: TestClient, _ driver: ConnectDriver, sandbox: String) async throws -> [String: Any] {
        let file = try await ImportTests.walk(client, driver, .googleDrive, ["Product Docs", "Feature Guide.docx"])
        try await ConnectDriver.control(
            sandbox, "/faults",
            ["platform": "google_drive", "status": "redirect", "location": "http://169.254.169.254/latest/meta-data/", "path": "/files/", "query": "alt=media"])
        return try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [try #require(file["id"] as? String)], category: "Failing")
    }

    static func notifications(_ client: TestClient, _ bearer: String?) async throws -> (items: [[String: Any]], unread: Int) {
        let body = try await client.get("/api/v1/notifications", bearer: bearer).json()
        return (body["notifications"] as? [[String: Any]] ?? [], body["unread"] as? Int ?? -1)
    }

    @Test("an import that ends with a failed file tells the person who started it: the bell counts it, the page shows it and marks it read")
    func importFailure() async throws {
        // given: the owner with Google Drive connected, and an admin
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "admin@example.com", password: "admin's long password", role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            let started = try await driver.start(.googleDrive)
            #expect(try await driver.callback(try await driver.consent(started)).status == .ok)
            // when: an import fails
            let job = try await Self.failingImport(client, driver, sandbox: started.sandboxOrigin)
            #expect(ImportTests.items(job).first?["state"] as? String == "failed")
            // then: the owner is told, once
            let (items, unread) = try await Self.notifications(client, driver.bearer)
            #expect(unread == 1 && items.count == 1)
            #expect(items.first?["kind"] as? String == "import_failed" && items.first?["read"] as? Bool == false)
            #expect((items.first?["title"] as? String ?? "").contains("1 failed file"))
            #expect(items.first?["link"] as? String == "/admin/documents")
            // and nobody else is
            let admin = try await client.apiToken(email: "admin@example.com", password: "admin's long password")
            #expect(try await Self.notifications(client, admin).unread == 0)
            // and the header's bell has what it needs, and the page shows it and marks it read
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let dashboard = try await client.get("/admin").body
            #expect(dashboard.contains(#"class="bell""#) && dashboard.contains("/api/v1/notifications?unread=true"))
            let page = try await client.get("/admin/notifications").body
            #expect(page.contains("Failing") && page.contains(">new<"))
            #expect(try await Self.notifications(client, driver.bearer).unread == 0)
            #expect(!(try await client.get("/admin/notifications").body.contains(">new<")))
        }
    }

    @Test("a muted kind is not recorded; the settings are kept per person, by page and by API")
    func mute() async throws {
        // given: the owner muted failed imports on the page
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/notifications")
            let kept = NotificationKind.allCases.filter { $0 != .importFailed }.map { ($0.rawValue, "on") }
            let saved = try await client.postForm("/admin/notifications/preferences", [("_csrf", TestClient.csrfToken(in: page.body) ?? "")] + kept)
            #expect(saved.status == .seeOther)
            let driver = try await ConnectTests.signedIn(client)
            let preferences = try await client.get("/api/v1/notifications/preferences", bearer: driver.bearer).json()
            #expect(preferences["muted"] as? [String] == ["import_failed"])
            let started = try await driver.start(.googleDrive)
            #expect(try await driver.callback(try await driver.consent(started)).status == .ok)
            // when
            _ = try await Self.failingImport(client, driver, sandbox: started.sandboxOrigin)
            // then
            #expect(try await Self.notifications(client, driver.bearer).items.isEmpty)
            // and by API the kind comes back
            let unmuted = try await client.json(.put, "/api/v1/notifications/preferences", ["muted": []], bearer: driver.bearer)
            let mutedNow = try unmuted.json()["muted"] as? [String]
            #expect(unmuted.status == .ok && mutedNow == [])
        }
    }

    @Test("a connection the provider stops accepting tells its owner to reconnect, once while unread; an API key cannot read notifications")
    func needsReconnect() async throws {
        // given: a connected Google Drive whose grant is revoked at Google
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            let started = try await driver.start(.googleDrive)
            _ = try await driver.callback(try await driver.consent(started))
            try await ConnectDriver.control(started.sandboxOrigin, "/tokens/revoke", ["platform": "google_drive"])
            // when: it is used twice
            for _ in 0..<2 {
                #expect(try await client.get("/api/v1/integrations/google_drive/account", bearer: driver.bearer).status == .conflict)
            }
            // then
            let (items, unread) = try await Self.notifications(client, driver.bearer)
            #expect(unread == 1 && items.first?["kind"] as? String == "connection_needs_reconnect")
            #expect(items.first?["title"] as? String == "Reconnect Google Drive" && items.first?["link"] as? String == "/admin/integrations")
            // and marking it read by API clears the count
            #expect(try await client.json(.post, "/api/v1/notifications/read", [:], bearer: driver.bearer).status == .noContent)
            #expect(try await Self.notifications(client, driver.bearer).unread == 0)
            let key = try #require(
                try await client.json(.post, "/api/v1/api-keys", ["name": "k", "scope": "admin"], bearer: driver.bearer).json()["key"] as? String)
            #expect(try await client.get("/api/v1/notifications", bearer: key).status == .forbidden)
        }
    }
}

/// The workspace's outbound webhook: every notification posted as signed JSON, retried until
/// the receiver takes it, with a log.
@Suite("Notification webhook")
struct WebhookTests {
    @Test("a notification is posted to the workspace's webhook, signed with its secret; a failing receiver is retried until it answers")
    func delivered() async throws {
        // given: a webhook on a receiver that fails twice, retried at once
        let harness = try await TestHarness.make([AppConfig.Key.webhookAllowPrivate: "true", AppConfig.Key.webhookRetryBase: "0"])
        try await harness.bootstrapOwner()
        let receiver = WebhookReceiver(statuses: [500, 503])
        try await receiver.run { hook in
            try await harness.withServer { client in
                let driver = try await ConnectTests.signedIn(client)
                let set = try await client.json(.put, "/api/v1/webhook", ["url": hook + "/services/T0/B0/x", "enabled": true], bearer: driver.bearer)
                #expect(set.status == .ok)
                let secret = try #require(try set.json()["secret"] as? String)
                // when: Google stops accepting the connection
                let started = try await driver.start(.googleDrive)
                _ = try await driver.callback(try await driver.consent(started))
                try await ConnectDriver.control(started.sandboxOrigin, "/tokens/revoke", ["platform": "google_drive"])
                _ = try await client.get("/api/v1/integrations/google_drive/account", bearer: driver.bearer)
                // then: the third post is taken, and the log says so
                let delivery = try await eventually("the delivery is taken", timeout: .seconds(30)) {
                    let log = try await client.get("/api/v1/webhook/deliveries", bearer: driver.bearer).json()["deliveries"] as? [[String: Any]]
                    return log?.first.flatMap { $0["state"] as? String == "delivered" ? $0 : nil }
                }
                #expect(delivery["attempts"] as? Int == 3 && delivery["lastStatus"] as? Int == 200)
                let posts = receiver.posts
                #expect(posts.count == 3)
                let post = try #require(posts.last)
                let timestamp = try #require(post.headers[HTTPField.Name("X-Cirrus-Timestamp")!])
                #expect(post.headers[HTTPField.Name("X-Cirrus-Signature")!] == "sha256=" + SecureToken.sign(timestamp + "." + post.body, key: secret))
                #expect(post.headers[HTTPField.Name("X-Cirrus-Event")!] == "connection_needs_reconnect")
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(post.body.utf8)) as? [String: Any])
                #expect(payload["type"] as? String == "connection_needs_reconnect")
                #expect((payload["text"] as? String ?? "").hasPrefix("Cirrus: Reconnect Google Drive."))
                #expect(payload["url"] as? String == harness.config.apiBaseURL + "/admin/integrations")
                #expect(payload["recipient"] as? String == TestHarness.ownerEmail)
            }
        }
    }

    @Test("without CIRRUS_WEBHOOK_ALLOW_PRIVATE the webhook must be https on the public internet")
    func addresses() async throws {
        // given
        let harness = try await TestHarness.make([AppConfig.Key.webhookRetryBase: "0"])
        try await harness.bootstrapOwner()
        try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when / then
            for refused in [
                "http://hooks.example.com/x", "https://localhost/x", "https://127.0.0.1/x", "https://169.254.169.254/latest", "https://[::1]/x",
                "https://user:pass@hooks.example.com/x", "hooks.example.com",
            ] {
                let reply = try await client.json(.put, "/api/v1/webhook", ["url": refused], bearer: token)
                #expect(reply.status == .badRequest, "\(refused)")
            }
            #expect(try await client.json(.put, "/api/v1/webhook", ["url": "https://hooks.example.com/services/x"], bearer: token).status == .ok)
            let memberless = try await client.get("/api/v1/webhook", bearer: token).json()
            #expect(memberless["url"] as? String == "https://hooks.example.com/services/x" && memberless["enabled"] as? Bool == true)
            // and blank removes it
            let removed = try await client.json(.put, "/api/v1/webhook", ["url": ""], bearer: token).json()
            #expect(removed["url"] == nil && removed["enabled"] as? Bool == false)
        }
    }

    @Test("a receiver that keeps failing gets six attempts, then the delivery ends failed with the last answer")
    func givesUp() async throws {
        // given: a receiver that always fails
        let harness = try await TestHarness.make([AppConfig.Key.webhookAllowPrivate: "true", AppConfig.Key.webhookRetryBase: "0"])
        let owner = try await harness.bootstrapOwner()
        let receiver = WebhookReceiver(statuses: Array(repeating: 500, count: 10))
        try await receiver.run { hook in
            try await harness.withServer { client in
                let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
                #expect(try await client.json(.put, "/api/v1/webhook", ["url": hook + "/x"], bearer: token).status == .ok)
                // when: a notification is recorded
                try await harness.withStore { store in
                    await NotificationService(store: store, logger: TestHarness.logger).notify(
                        .syncFailed, userID: try owner.requireID(), workspaceID: owner.$workspace.id, subject: "sync:test", title: "Syncing failed",
                        body: "The provider answered 500.", link: .sourcesPage)
                }
                // then
                let delivery = try await eventually("the delivery ends", timeout: .seconds(30)) {
                    let log = try await client.get("/api/v1/webhook/deliveries", bearer: token).json()["deliveries"] as? [[String: Any]]
                    return log?.first.flatMap { $0["state"] as? String == "failed" ? $0 : nil }
                }
                #expect(delivery["attempts"] as? Int == 6 && delivery["lastError"] as? String == "The webhook answered HTTP 500.")
                #expect(receiver.posts.count == 6)
            }
        }
    }
}

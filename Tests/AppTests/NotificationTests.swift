import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
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

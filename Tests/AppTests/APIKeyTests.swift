import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import App

/// Keys for integrators: made by admins with a name, scope and expiry, shown once, stored
/// hashed, listed with their last use, revocable, and never more than their admin may do.
@Suite("API keys")
struct APIKeyTests {
    static let adminEmail = "admin@example.com"
    static let adminPassword = "admin's long password"

    @Test("a key is shown once, stored only as a hash, listed with its last use, and stops at once when revoked")
    func lifecycle() async throws {
        // given: an admin signed in by API
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: Self.adminEmail, password: Self.adminPassword, role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: Self.adminEmail, password: Self.adminPassword)
            // when: she makes a read key and an integrator uses it
            let made = try await client.json(.post, "/api/v1/api-keys", ["name": "Intranet search", "scope": "read", "expiresInDays": 30], bearer: token)
            #expect(made.status == .created)
            #expect(made.headers[.cacheControl] == "no-store")
            let body = try made.json()
            let key = try #require(body["key"] as? String)
            let summary = try #require(body["apiKey"] as? [String: Any])
            #expect(key.hasPrefix("cirrus_") && key.count > 40)
            #expect(key.hasPrefix(try #require(summary["prefix"] as? String)))
            #expect(try await client.get("/api/v1/documents", bearer: key).status == .ok)
            let me = try await client.get("/api/v1/me", bearer: key).json()
            #expect(me["email"] as? String == Self.adminEmail)
            // then: the list shows it with its last use, but not the key; the owner sees it too
            let ownerToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let listed = try await client.get("/api/v1/api-keys", bearer: ownerToken)
            #expect(!listed.body.contains(key))
            let rows = try #require(try listed.json()["apiKeys"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["name"] as? String == "Intranet search" && rows.first?["scope"] as? String == "read")
            #expect(rows.first?["createdBy"] as? String == Self.adminEmail)
            #expect(rows.first?["lastUsedAt"] is String && rows.first?["expiresAt"] is String)
            // and when the owner revokes it, it stops at once
            let id = try #require(rows.first?["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/api-keys/\(id)", headers: [.authorization: "Bearer \(ownerToken)"]).status == .noContent)
            #expect(try await client.get("/api/v1/documents", bearer: key).status == .unauthorized)
            #expect(try await client.send(.delete, "/api/v1/api-keys/\(id)", headers: [.authorization: "Bearer \(ownerToken)"]).status == .notFound)
        }
        // and the store never held the key itself; both changes are in the activity log
        let (stored, actions) = try await harness.withStore { store in
            let rows = try await (store.database as! any SQLDatabase).raw("SELECT * FROM api_keys").all()
            let actions = try await AuditEvent.query(on: store.database).all().map(\.action)
            return (rows.count, actions)
        }
        #expect(stored == 0)
        #expect(actions.contains("api_key_created") && actions.contains("api_key_revoked"))
    }

    @Test("the stored row holds the key's hash and prefix, never the key")
    func storedHashed() async throws {
        // given
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        let key = try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            return try #require(try await client.json(.post, "/api/v1/api-keys", ["name": "n", "scope": "admin"], bearer: token).json()["key"] as? String)
        }
        // when
        let dump = try await harness.withStore { store in
            try await (store.database as! any SQLDatabase).raw("SELECT key_hash, key_prefix, name, scope FROM api_keys").all().map { row in
                try ["key_hash", "key_prefix", "name", "scope"].map { try row.decode(column: $0, as: String.self) }.joined(separator: " ")
            }.joined(separator: "\n")
        }
        // then
        #expect(!dump.isEmpty && !dump.contains(key))
        #expect(dump.contains(SecureToken.hash(key)))
    }

    @Test("an expired key, a made-up key and a key on a page are refused; a key never outgrows its admin")
    func refusals() async throws {
        // given: an admin's admin-scope key that never expires and one that expires in a day
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let admin = try await harness.createUser(email: Self.adminEmail, password: Self.adminPassword, role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: Self.adminEmail, password: Self.adminPassword)
            let lasting = try #require(
                try await client.json(.post, "/api/v1/api-keys", ["name": "lasting", "scope": "admin"], bearer: token).json()["key"] as? String)
            let brief = try #require(
                try await client.json(.post, "/api/v1/api-keys", ["name": "brief", "scope": "admin", "expiresInDays": 1], bearer: token).json()["key"]
                    as? String)
            // when: a day passes for the brief one
            try await harness.withStore { store in
                try await APIKey.query(on: store.database).filter(\.$name == "brief").set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            }
            // then
            #expect(try await client.get("/api/v1/documents", bearer: brief).status == .unauthorized)
            #expect(try await client.get("/api/v1/documents", bearer: "cirrus_" + SecureToken.make()).status == .unauthorized)
            #expect(try await client.get("/api/v1/documents", bearer: lasting).status == .ok)
            let page = try await client.send(.get, "/admin/documents", headers: [.authorization: "Bearer \(lasting)"], withCookies: false)
            #expect(page.status == .unauthorized)
            let listed = try #require(try await client.get("/api/v1/api-keys", bearer: token).json()["apiKeys"] as? [[String: Any]])
            #expect(listed.first { $0["name"] as? String == "brief" }?["expired"] as? Bool == true)
            // and when the admin is made a member, her admin-scope key can no longer change the knowledge base
            try await harness.withStore { store in
                try await User.query(on: store.database).filter(\.$id == admin.requireID()).set(\.$role, to: .member).update()
            }
            let delete = try await client.send(.delete, "/api/v1/documents/\(UUID())", headers: [.authorization: "Bearer \(lasting)"])
            #expect(delete.status == .forbidden)
            #expect(try await client.get("/api/v1/documents", bearer: lasting).status == .ok)
        }
    }

    @Test("bad names and expiries are refused with a clear message; members cannot make keys")
    func validation() async throws {
        // given
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when / then
            let blank = try await client.json(.post, "/api/v1/api-keys", ["name": "  ", "scope": "read"], bearer: token)
            #expect(blank.status == .badRequest && blank.body.contains("name of 1 to 100 characters"))
            let long = try await client.json(.post, "/api/v1/api-keys", ["name": "k", "scope": "read", "expiresInDays": 0], bearer: token)
            #expect(long.status == .badRequest && long.body.contains("1 to 3,650 days"))
            let scope = try await client.json(.post, "/api/v1/api-keys", ["name": "k", "scope": "owner"], bearer: token)
            #expect(scope.status == .badRequest)
            let memberToken = try await client.apiToken(email: "member@example.com", password: "member's long password")
            #expect(try await client.json(.post, "/api/v1/api-keys", ["name": "k", "scope": "read"], bearer: memberToken).status == .forbidden)
        }
    }

    @Test("the API keys page makes a key, shows it once with a curl line, lists and revokes it")
    func page() async throws {
        // given: the owner signed in in a browser
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let empty = try await client.get("/admin/api-keys")
            #expect(empty.body.contains("No API keys yet"))
            // when: she makes an import key that expires in 90 days, its name with markup in it
            let made = try await client.postForm(
                "/admin/api-keys",
                [("_csrf", TestClient.csrfToken(in: empty.body) ?? ""), ("name", "<b>sync bot</b>"), ("scope", "import"), ("expiresInDays", "90")])
            // then: the key is on this page, escaped name and all, and works
            #expect(made.status == .created && made.headers[.cacheControl] == "no-store")
            #expect(made.body.contains("&lt;b&gt;sync bot&lt;/b&gt;") && !made.body.contains("<b>sync bot</b>"))
            let key = try #require(made.body.firstMatch(of: /cirrus_[A-Za-z0-9_-]{43}/).map { String($0.output) })
            #expect(made.body.contains("curl -H &quot;Authorization: Bearer \(key)&quot;") || made.body.contains("curl -H \"Authorization: Bearer \(key)\""))
            #expect(try await client.get("/api/v1/imports", bearer: key).status == .ok)
            // and reloading shows it no more, only its prefix
            let again = try await client.get("/admin/api-keys")
            #expect(!again.body.contains(key) && again.body.contains(String(key.prefix(13))))
            // and a form without its CSRF token is refused; with it, the key is revoked
            let id = try #require(again.body.firstMatch(of: /api-keys\/([0-9A-F-]{36})\/revoke/).map { String($0.1) })
            #expect(try await client.postForm("/admin/api-keys/\(id)/revoke", []).status == .forbidden)
            let revoked = try await client.postForm("/admin/api-keys/\(id)/revoke", [("_csrf", TestClient.csrfToken(in: again.body) ?? "")])
            #expect(revoked.status == .seeOther)
            #expect(try await client.get(try #require(revoked.headers[.location])).body.contains("The API key was revoked"))
            #expect(try await client.get("/api/v1/imports", bearer: key).status == .unauthorized)
        }
    }
}

import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import Testing

@testable import App

/// People in a workspace: invitations by a one-time link, roles, removal, and the last owner.
@Suite("People")
struct PeopleTests {
    static let adminEmail = "admin@example.com"
    static let adminPassword = "admin's long password"

    /// The token at the end of an invitation link.
    static func token(_ link: String) throws -> String { try #require(link.split(separator: "/").last.map(String.init)) }

    @Test("an admin invites by API; the link opens a page that sets a password, signs the person in, and works only once")
    func inviteAndAccept() async throws {
        // given: an admin
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: Self.adminEmail, password: Self.adminPassword, role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: Self.adminEmail, password: Self.adminPassword)
            // when: she invites a member
            let invited = try await client.json(.post, "/api/v1/people/invitations", ["email": " New.Person@Example.com ", "role": "member"], bearer: token)
            #expect(invited.status == .created && invited.headers[.cacheControl] == "no-store")
            let link = try #require(try invited.json()["link"] as? String)
            #expect(link.hasPrefix(harness.config.apiBaseURL + "/invite/"))
            let path = "/invite/" + (try Self.token(link))
            // then: the list shows the invitation, without its link
            let directory = try await client.get("/api/v1/people", bearer: token)
            #expect(!directory.body.contains(try Self.token(link)))
            let pending = try #require(try directory.json()["invitations"] as? [[String: Any]])
            #expect(pending.first?["email"] as? String == "new.person@example.com" && pending.first?["invitedBy"] as? String == Self.adminEmail)

            // and the invited person, in another browser, sees the page and joins
            let guest = client.anotherBrowser()
            let page = try await guest.get(path)
            #expect(page.status == .ok && page.body.contains("new.person@example.com") && page.body.contains("member"))
            let csrf = TestClient.csrfToken(in: page.body) ?? ""
            let differ = try await guest.postForm(
                path, [("_csrf", csrf), ("name", "New Person"), ("password", "a long new password"), ("confirmPassword", "something else")])
            #expect(differ.status == .badRequest && differ.body.contains("The two passwords differ"))
            let short = try await guest.postForm(path, [("_csrf", csrf), ("name", "New Person"), ("password", "short"), ("confirmPassword", "short")])
            #expect(short.status == .badRequest && short.body.contains("at least 10 characters"))
            let joined = try await guest.postForm(
                path, [("_csrf", csrf), ("name", "New Person"), ("password", "a long new password"), ("confirmPassword", "a long new password")])
            #expect(joined.status == .seeOther && joined.headers[.location] == "/admin")
            let me = try await guest.get("/api/v1/me").json()
            #expect(me["email"] as? String == "new.person@example.com" && me["role"] as? String == "member" && me["name"] as? String == "New Person")
            // and the link is used up; the person signs in with the password they chose
            #expect(try await client.anotherBrowser().get(path).status == .notFound)
            _ = try await client.apiToken(email: "new.person@example.com", password: "a long new password")
            let people = try #require(try await client.get("/api/v1/people", bearer: token).json()["people"] as? [[String: Any]])
            #expect(people.contains { $0["email"] as? String == "new.person@example.com" && $0["role"] as? String == "member" })
        }
        let actions = try await harness.withStore { try await AuditEvent.query(on: $0.database).all().map(\.action) }
        #expect(actions.contains("person_invited") && actions.contains("invitation_accepted"))
    }

    @Test("invitations: an expired or revoked link is refused, an address with an account cannot be invited, only owners invite owners")
    func invitationRules() async throws {
        // given
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: Self.adminEmail, password: Self.adminPassword, role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let ownerToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let adminToken = try await client.apiToken(email: Self.adminEmail, password: Self.adminPassword)
            // when / then: an address that has an account
            let taken = try await client.json(.post, "/api/v1/people/invitations", ["email": Self.adminEmail, "role": "member"], bearer: ownerToken)
            #expect(taken.status == .conflict)
            #expect(try await client.json(.post, "/api/v1/people/invitations", ["email": "nope", "role": "member"], bearer: ownerToken).status == .badRequest)
            // only owners make owners
            let ownerByAdmin = try await client.json(.post, "/api/v1/people/invitations", ["email": "o@example.com", "role": "owner"], bearer: adminToken)
            #expect(ownerByAdmin.status == .forbidden)
            #expect(
                try await client.json(.post, "/api/v1/people/invitations", ["email": "o@example.com", "role": "owner"], bearer: ownerToken).status == .created)
            // an expired link
            let soon = try await client.json(.post, "/api/v1/people/invitations", ["email": "late@example.com", "role": "member"], bearer: adminToken)
            let late = try Self.token(try #require(try soon.json()["link"] as? String))
            try await harness.withStore { store in
                try await Invitation.query(on: store.database).filter(\.$email == "late@example.com").set(\.$expiresAt, to: Date().addingTimeInterval(-1))
                    .update()
            }
            let expired = try await client.anotherBrowser().get("/invite/\(late)")
            #expect(expired.status == .notFound && expired.body.contains("expired"))
            // a revoked one, and a re-invitation that replaces the old link
            let first = try await client.json(.post, "/api/v1/people/invitations", ["email": "twice@example.com", "role": "member"], bearer: adminToken)
            let second = try await client.json(.post, "/api/v1/people/invitations", ["email": "twice@example.com", "role": "admin"], bearer: adminToken)
            #expect(try await client.anotherBrowser().get("/invite/\(try Self.token(try #require(try first.json()["link"] as? String)))").status == .notFound)
            let secondPath = "/invite/\(try Self.token(try #require(try second.json()["link"] as? String)))"
            #expect(try await client.anotherBrowser().get(secondPath).status == .ok)
            let id = try #require((try second.json()["invitation"] as? [String: Any])?["id"] as? String)
            #expect(try await client.send(.delete, "/api/v1/people/invitations/\(id)", headers: [.authorization: "Bearer \(adminToken)"]).status == .noContent)
            #expect(try await client.anotherBrowser().get(secondPath).status == .notFound)
        }
    }

    @Test("roles: admins change members and admins but not owners; the last owner stays one; a promoted member gets admin routes at once")
    func roles() async throws {
        // given: an owner, an admin and a member
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: Self.adminEmail, password: Self.adminPassword, role: .admin, workspaceID: owner.$workspace.id)
        let member = try await harness.createUser(
            email: "member@example.com", password: "member's long password", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let ownerToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let adminToken = try await client.apiToken(email: Self.adminEmail, password: Self.adminPassword)
            let memberToken = try await client.apiToken(email: "member@example.com", password: "member's long password")
            let ownerID = try owner.requireID().uuidString
            let memberID = try member.requireID().uuidString
            // when / then
            #expect(try await client.get("/api/v1/chatbot", bearer: memberToken).status == .forbidden)
            let promoted = try await client.json(.patch, "/api/v1/people/\(memberID)", ["role": "admin"], bearer: adminToken)
            let promotedRole = (try promoted.json()["person"] as? [String: Any])?["role"] as? String
            #expect(promoted.status == .ok && promotedRole == "admin")
            #expect(try await client.get("/api/v1/chatbot", bearer: memberToken).status == .ok)
            let ownerByAdmin = try await client.json(.patch, "/api/v1/people/\(ownerID)", ["role": "member"], bearer: adminToken)
            #expect(ownerByAdmin.status == .forbidden && ownerByAdmin.body.contains("owners_only"))
            #expect(try await client.json(.patch, "/api/v1/people/\(memberID)", ["role": "owner"], bearer: adminToken).status == .forbidden)
            let lastOwner = try await client.json(.patch, "/api/v1/people/\(ownerID)", ["role": "admin"], bearer: ownerToken)
            #expect(lastOwner.status == .conflict && lastOwner.body.contains("last_owner"))
            // with a second owner, the first may step down
            #expect(try await client.json(.patch, "/api/v1/people/\(memberID)", ["role": "owner"], bearer: ownerToken).status == .ok)
            #expect(try await client.json(.patch, "/api/v1/people/\(ownerID)", ["role": "admin"], bearer: ownerToken).status == .ok)
            // nobody outside the workspace is found
            let stranger = try await harness.createUser(email: "stranger@example.com", password: "stranger's long password", role: .member)
            #expect(try await client.json(.patch, "/api/v1/people/\(try stranger.requireID())", ["role": "admin"], bearer: memberToken).status == .notFound)
        }
        let changes = try await harness.withStore { try await AuditEvent.query(on: $0.database).filter(\.$action == "role_changed").count() }
        #expect(changes == 3)
    }

    @Test("removing someone ends their sessions, tokens and API keys at once, revokes their connections, and keeps their documents")
    func remove() async throws {
        // given: an admin signed in by browser and by API, with an API key, a Google Drive connection and an imported document
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let admin = try await harness.createUser(email: Self.adminEmail, password: Self.adminPassword, role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let browser = client.anotherBrowser()
            try await browser.signIn(email: Self.adminEmail, password: Self.adminPassword)
            let token = try await client.apiToken(email: Self.adminEmail, password: Self.adminPassword)
            let key = try #require(try await client.json(.post, "/api/v1/api-keys", ["name": "bot", "scope": "read"], bearer: token).json()["key"] as? String)
            let driver = ConnectDriver(client: client, bearer: token)
            #expect(try await driver.connect(.googleDrive).status == .ok)
            let file = try await ImportTests.walk(client, driver, .googleDrive, ["Product Docs", "Feature Guide.docx"])
            let job = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [try #require(file["id"] as? String)], category: "Kept")
            #expect(ImportTests.items(job).first?["state"] as? String == "done", "\(ImportTests.items(job))")
            let ownerToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when: the owner removes her, and tries to remove himself
            let adminID = try admin.requireID().uuidString
            #expect(try await client.send(.delete, "/api/v1/people/\(adminID)", headers: [.authorization: "Bearer \(ownerToken)"]).status == .noContent)
            let selfRemoval = try await client.send(
                .delete, "/api/v1/people/\(try owner.requireID())", headers: [.authorization: "Bearer \(ownerToken)"])
            // then
            #expect(selfRemoval.status == .conflict)
            #expect(try await browser.get("/api/v1/me").status == .unauthorized)
            #expect(try await client.get("/api/v1/me", bearer: token).status == .unauthorized)
            #expect(try await client.get("/api/v1/documents", bearer: key).status == .unauthorized)
            let documents = try #require(try await client.get("/api/v1/documents", bearer: ownerToken).json()["documents"] as? [[String: Any]])
            #expect(documents.contains { $0["category"] as? String == "Kept" })
            let people = try #require(try await client.get("/api/v1/people", bearer: ownerToken).json()["people"] as? [[String: Any]])
            #expect(!people.contains { $0["email"] as? String == Self.adminEmail })
        }
        let (connections, disconnected, removed) = try await harness.withStore { store in
            (
                try await UserIntegration.query(on: store.database).count(),
                try await AuditEvent.query(on: store.database).filter(\.$action == "integration_disconnected").first()?.detail,
                try await AuditEvent.query(on: store.database).filter(\.$action == "person_removed").count()
            )
        }
        #expect(connections == 0)
        #expect(disconnected == "revoked at the provider")
        #expect(removed == 1)
    }

    @Test("the People page invites with the link shown once, changes a role and refuses to demote the last owner, in words")
    func page() async throws {
        // given: the owner in a browser, and a member
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/people")
            #expect(page.status == .ok && page.body.contains("member@example.com"))
            let csrf = TestClient.csrfToken(in: page.body) ?? ""
            // when: he invites someone whose address carries markup
            let invited = try await client.postForm("/admin/people", [("_csrf", csrf), ("email", "a<b>@example.com"), ("role", "member")])
            #expect(invited.status == .badRequest)
            let ok = try await client.postForm("/admin/people", [("_csrf", csrf), ("email", "new@example.com"), ("role", "admin")])
            // then: the link is on this answer only
            #expect(ok.status == .created)
            let link = try #require(ok.body.firstMatch(of: /http:\/\/[^<"\s]+\/invite\/[A-Za-z0-9_-]{43}/).map { String($0.output) })
            #expect(!(try await client.get("/admin/people").body.contains(link)))
            // and demoting himself, the only owner, is refused on the page
            let refused = try await client.postForm("/admin/people/\(try owner.requireID())/role", [("_csrf", csrf), ("role", "admin")])
            #expect(refused.status == .conflict && refused.body.contains("needs an owner"))
        }
    }
}

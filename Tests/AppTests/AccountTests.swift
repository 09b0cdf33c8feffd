import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import Testing

@testable import App

/// Accounts people can manage: fresh sessions, password changes, signing out everywhere,
/// API tokens with their last use, the one-time owner password, and `cirrus create-admin`.
@Suite("Accounts")
struct AccountTests {
    static let newPassword = "a brand new passphrase"

    static func changePasswordForm(_ client: TestClient, current: String, new: String, confirm: String? = nil) async throws -> TestClient.Reply {
        let page = try await client.get("/admin/settings")
        return try await client.postForm(
            "/admin/settings/password",
            [
                ("_csrf", TestClient.csrfToken(in: page.body) ?? ""), ("currentPassword", current), ("newPassword", new), ("confirmPassword", confirm ?? new),
            ])
    }

    @Test("a password change needs the current password, keeps this session and signs out every other session and token")
    func changePassword() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given: the owner in two browsers and with an API token
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let laptop = client.anotherBrowser()
            try await laptop.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when: the wrong current password, then two new passwords that differ, then a real change
            let wrong = try await Self.changePasswordForm(client, current: "not my password", new: Self.newPassword)
            #expect(wrong.status == .badRequest && wrong.body.contains("current password is not right"))
            let differ = try await Self.changePasswordForm(
                client, current: TestHarness.ownerPassword, new: Self.newPassword, confirm: "something else entirely")
            #expect(differ.status == .badRequest)
            let changed = try await Self.changePasswordForm(client, current: TestHarness.ownerPassword, new: Self.newPassword)
            #expect(changed.status == .seeOther)
            // then
            #expect(try await client.get(try #require(changed.headers[.location])).body.contains("Your password was changed"))
            #expect(try await laptop.get("/api/v1/me").status == .unauthorized)
            #expect(try await client.get("/api/v1/me", bearer: token).status == .unauthorized)
            let old = try await client.json(.post, "/api/v1/auth/login", ["email": TestHarness.ownerEmail, "password": TestHarness.ownerPassword])
            #expect(old.status == .unauthorized)
            let fresh = try await client.apiToken(email: TestHarness.ownerEmail, password: Self.newPassword)
            // and by API: the token making the change survives it
            let apiChange = try await client.json(
                .put, "/api/v1/me/password", ["currentPassword": Self.newPassword, "newPassword": "yet another passphrase"], bearer: fresh)
            #expect(apiChange.status == .noContent)
            #expect(try await client.get("/api/v1/me", bearer: fresh).status == .ok)
        }
        let events = try await harness.withStore { try await AuditEvent.query(on: $0.database).filter(\.$action == "password_changed").count() }
        #expect(events == 2)
    }

    @Test("sign out everywhere ends every browser session and API token of the account, and only of that account")
    func signOutEverywhere() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "colleague@example.com", password: "colleague's password", workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let phone = client.anotherBrowser()
            try await phone.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let colleague = try await client.apiToken(email: "colleague@example.com", password: "colleague's password")
            // when
            let page = try await client.get("/admin/settings")
            let reply = try await client.postForm("/admin/settings/sign-out-everywhere", [("_csrf", TestClient.csrfToken(in: page.body) ?? "")])
            // then
            #expect(reply.status == .seeOther && reply.headers[.location] == "/login")
            #expect(try await client.get("/api/v1/me").status == .unauthorized)
            #expect(try await phone.get("/api/v1/me").status == .unauthorized)
            #expect(try await client.get("/api/v1/me", bearer: token).status == .unauthorized)
            #expect(try await client.get("/api/v1/me", bearer: colleague).status == .ok)
        }
    }

    @Test("API tokens are listed with their last use and can be revoked, each user only their own")
    func apiTokens() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "colleague@example.com", password: "colleague's password", workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            // given: two tokens, one of them used
            let used = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let spare = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            #expect(try await client.get("/api/v1/documents", bearer: used).status == .ok)
            // when
            let list = try await client.get("/api/v1/me/tokens", bearer: used).json()["tokens"] as? [[String: Any]] ?? []
            // then
            #expect(list.count == 2)
            let mine = try #require(list.first { $0["current"] as? Bool == true })
            #expect(mine["lastUsedAt"] as? String != nil)
            let other = try #require(list.first { $0["current"] as? Bool == false })
            let otherID = try #require(other["id"] as? String)
            // A colleague cannot revoke it; its owner can.
            let colleague = try await client.apiToken(email: "colleague@example.com", password: "colleague's password")
            let refused = try await client.send(.delete, "/api/v1/me/tokens/\(otherID)", headers: [.authorization: "Bearer \(colleague)"], withCookies: false)
            #expect(refused.status == .notFound)
            #expect(try await client.get("/api/v1/me", bearer: spare).status == .ok)
            let revoked = try await client.send(.delete, "/api/v1/me/tokens/\(otherID)", headers: [.authorization: "Bearer \(used)"], withCookies: false)
            #expect(revoked.status == .noContent)
            #expect(try await client.get("/api/v1/me", bearer: spare).status == .unauthorized)
            // and the Settings page lists the remaining one with a Revoke button
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/settings").body
            #expect(page.components(separatedBy: "/revoke\"").count - 1 == 1)
        }
    }

    @Test("the owner's one-time password must be changed before anything else, by page or by API")
    func oneTimePasswordMustChange() async throws {
        // given: an owner whose password is still the generated one
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        try await harness.withStore { store in
            let owner = try #require(try await User.query(on: store.database).first())
            owner.mustChangePassword = true
            try await owner.save(on: store.database)
        }
        try await harness.withServer { client in
            // when: she signs in and opens any page, or calls the API
            let signedIn = try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            #expect(signedIn.status == .seeOther)
            let dashboard = try await client.get("/admin/documents")
            #expect(dashboard.status == .found && dashboard.headers[.location] == "/admin/settings?notice=change-password")
            #expect(try await client.get("/admin/settings").body.contains("one-time password"))
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let refused = try await client.get("/api/v1/documents", bearer: token)
            #expect(refused.status == .forbidden)
            #expect((try refused.json()["error"] as? [String: Any])?["code"] as? String == "password_change_required")
            // then: after the change everything opens
            #expect(try await Self.changePasswordForm(client, current: TestHarness.ownerPassword, new: Self.newPassword).status == .seeOther)
            #expect(try await client.get("/admin/documents").status == .ok)
        }
        let flag = try await harness.withStore { try await User.query(on: $0.database).first()?.mustChangePassword }
        #expect(flag != true)
    }

    @Test("the generated owner password is flagged for change at first start")
    func generatedOwnerIsFlagged() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.adminPassword: ""])
        try await harness.withServer { _ in }
        let owner = try await harness.withStore { try await User.query(on: $0.database).first() }
        #expect(owner?.mustChangePassword == true)
    }

    @Test("cirrus create-admin reads the password from standard input or a file, never from the command line")
    func createAdminPassword() async throws {
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        var environment = [
            "DATA_DIR": harness.dataDirectory.path, "CIRRUS_ENCRYPTION_KEYS": harness.config.encryptionKeys.map(\.revealed).joined(separator: ","),
            "LOG_LEVEL": "error",
        ]
        if let url = harness.config.databaseURL?.revealed { environment["DATABASE_URL"] = url }
        func run(_ arguments: [String], stdin: String) throws -> Int32 {
            let process = Process()
            process.executableURL = MultiProcessTests.binary
            process.arguments = ["create-admin"] + arguments
            process.environment = environment
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }
        // when: once from standard input, once from a file, once the old way on the command line
        #expect(try run(["--email", "piped@example.com"], stdin: "piped in password\n") == 0)
        let file = harness.dataDirectory.appendingPathComponent("password.txt")
        try Data("filed away password\n".utf8).write(to: file)
        #expect(try run(["--email", "filed@example.com", "--password-file", file.path], stdin: "") == 0)
        #expect(try run(["--email", "argv@example.com", "--password", "on the command line"], stdin: "") != 0)
        // then
        let statuses = try await harness.withServer { client -> [HTTPResponse.Status] in
            [
                try await client.json(.post, "/api/v1/auth/login", ["email": "piped@example.com", "password": "piped in password"]).status,
                try await client.json(.post, "/api/v1/auth/login", ["email": "filed@example.com", "password": "filed away password"]).status,
            ]
        }
        #expect(statuses == [.ok, .ok])
        let argv = try await harness.withStore { try await User.query(on: $0.database).filter(\.$email == "argv@example.com").count() }
        #expect(argv == 0)
    }
}

import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import App

/// What each role may do: owners and admins run the knowledge base and its connections;
/// members read, search and chat; nobody signed out gets past sign-in.
@Suite("Roles")
struct RoleTests {
    enum Caller: String, CaseIterable, Sendable {
        case owner, admin, member, signedOut
    }

    struct Route: Sendable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        var body: String? = nil
        /// The status for owners and admins, for members, and for signed-out callers.
        let administrator: HTTPResponse.Status
        let member: HTTPResponse.Status
        let signedOut: HTTPResponse.Status
        /// The narrowest API key scope that may call it; `nil`: no key may (a person must).
        var keyScope: APIKeyScope? = .read

        var description: String { "\(method) \(path)" }

        func expected(_ caller: Caller) -> HTTPResponse.Status {
            switch caller {
            case .owner, .admin: administrator
            case .member: member
            case .signedOut: signedOut
            }
        }
    }

    static let missing = UUID().uuidString

    /// Every route, with what each role gets. Pages are asked with a session, the API with a
    /// bearer token. "Not found" for an administrator means the role check passed and the
    /// thing asked for (a made-up document, an unconnected account) is not there.
    static let table: [Route] = [
        Route(method: .get, path: "/admin", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/integrations", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/documents", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/chat", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/chatbot", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/widget", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/insights", administrator: .ok, member: .forbidden, signedOut: .found),
        Route(method: .get, path: "/admin/insights/questions.csv", administrator: .ok, member: .forbidden, signedOut: .found),
        Route(method: .get, path: "/admin/activity", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/admin/settings", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/api/v1/me", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/integrations", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/documents", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/documents/\(missing)", administrator: .notFound, member: .notFound, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/imports", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/activity", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(
            method: .get, path: "/api/v1/integrations/google_drive/files?folder_id=root", administrator: .notFound, member: .notFound, signedOut: .unauthorized,
            keyScope: .import),
        Route(method: .get, path: "/api/v1/integrations/google_drive/account", administrator: .notFound, member: .notFound, signedOut: .unauthorized),
        Route(
            method: .get, path: "/api/v1/integrations/google_drive/connect", administrator: .found, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(
            method: .post, path: "/api/v1/integrations/dropbox/connect", administrator: .seeOther, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(
            method: .delete, path: "/api/v1/integrations/google_drive", administrator: .notFound, member: .forbidden, signedOut: .unauthorized, keyScope: .admin
        ),
        Route(
            method: .put, path: "/api/v1/integrations/confluence/site", body: #"{"siteId": "x"}"#, administrator: .notFound, member: .forbidden,
            signedOut: .unauthorized, keyScope: .admin),
        Route(
            method: .put, path: "/api/v1/integrations/confluence/resource", body: #"{"resourceId": "x"}"#, administrator: .notFound, member: .forbidden,
            signedOut: .unauthorized, keyScope: .admin),
        Route(
            method: .post, path: "/api/v1/integrations/google_drive/import", body: #"{"fileIds": ["x"], "category": "c"}"#, administrator: .notFound,
            member: .forbidden, signedOut: .unauthorized, keyScope: .import),
        Route(
            method: .post, path: "/api/v1/documents/\(missing)/reimport", administrator: .notFound, member: .forbidden, signedOut: .unauthorized,
            keyScope: .import),
        Route(method: .delete, path: "/api/v1/documents/\(missing)", administrator: .notFound, member: .forbidden, signedOut: .unauthorized, keyScope: .admin),
        Route(
            method: .post, path: "/api/v1/chat", body: #"{"question": "What is our refund policy?"}"#, administrator: .ok, member: .ok, signedOut: .unauthorized
        ),
        Route(method: .get, path: "/api/v1/conversations", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/chatbot", administrator: .ok, member: .forbidden, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/widget", administrator: .ok, member: .forbidden, signedOut: .unauthorized),
        Route(
            method: .patch, path: "/api/v1/widget", body: #"{"launcherText": "Hi"}"#, administrator: .ok, member: .forbidden, signedOut: .unauthorized,
            keyScope: .admin),
        Route(
            method: .post, path: "/api/v1/conversations/\(missing)/turns/\(missing)/feedback", body: #"{"rating": "up"}"#, administrator: .notFound,
            member: .notFound, signedOut: .unauthorized),
        Route(
            method: .patch, path: "/api/v1/chatbot", body: #"{"name": "Helper"}"#, administrator: .ok, member: .forbidden, signedOut: .unauthorized,
            keyScope: .admin),
        Route(method: .get, path: "/api/v1/conversations/\(missing)", administrator: .notFound, member: .notFound, signedOut: .unauthorized),
        Route(
            method: .post, path: "/api/v1/conversations/\(missing)/messages", body: #"{"question": "And the price?"}"#, administrator: .notFound,
            member: .notFound, signedOut: .unauthorized),
        Route(method: .delete, path: "/api/v1/conversations/\(missing)", administrator: .notFound, member: .notFound, signedOut: .unauthorized),
        Route(method: .get, path: "/admin/sources", administrator: .ok, member: .ok, signedOut: .found),
        Route(method: .get, path: "/api/v1/sources", administrator: .ok, member: .ok, signedOut: .unauthorized),
        Route(method: .get, path: "/api/v1/sources/\(missing)", administrator: .notFound, member: .notFound, signedOut: .unauthorized),
        Route(
            method: .post, path: "/api/v1/sources", body: #"{"platform": "google_drive", "roots": ["x"]}"#, administrator: .notFound, member: .forbidden,
            signedOut: .unauthorized, keyScope: .import),
        Route(
            method: .patch, path: "/api/v1/sources/\(missing)", body: #"{"enabled": false}"#, administrator: .notFound, member: .forbidden,
            signedOut: .unauthorized, keyScope: .import),
        Route(
            method: .post, path: "/api/v1/sources/\(missing)/sync", administrator: .notFound, member: .forbidden, signedOut: .unauthorized, keyScope: .import),
        Route(method: .delete, path: "/api/v1/sources/\(missing)", administrator: .notFound, member: .forbidden, signedOut: .unauthorized, keyScope: .admin),
        Route(method: .get, path: "/admin/notifications", administrator: .ok, member: .ok, signedOut: .found, keyScope: nil),
        Route(method: .get, path: "/api/v1/notifications", administrator: .ok, member: .ok, signedOut: .unauthorized, keyScope: nil),
        Route(method: .get, path: "/api/v1/webhook", administrator: .ok, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(method: .get, path: "/api/v1/webhook/deliveries", administrator: .ok, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(
            method: .put, path: "/api/v1/webhook", body: #"{"url": "https://hooks.example.com/x"}"#, administrator: .ok, member: .forbidden,
            signedOut: .unauthorized, keyScope: nil),
        Route(method: .get, path: "/admin/people", administrator: .ok, member: .forbidden, signedOut: .found, keyScope: nil),
        Route(method: .get, path: "/invite/\(missing)", administrator: .notFound, member: .notFound, signedOut: .notFound, keyScope: nil),
        Route(method: .get, path: "/api/v1/people", administrator: .ok, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(
            method: .post, path: "/api/v1/people/invitations", body: #"{"email": "invited@example.com", "role": "member"}"#, administrator: .created,
            member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(
            method: .delete, path: "/api/v1/people/invitations/\(missing)", administrator: .notFound, member: .forbidden, signedOut: .unauthorized,
            keyScope: nil),
        Route(
            method: .patch, path: "/api/v1/people/\(missing)", body: #"{"role": "member"}"#, administrator: .notFound, member: .forbidden,
            signedOut: .unauthorized, keyScope: nil),
        Route(method: .delete, path: "/api/v1/people/\(missing)", administrator: .notFound, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(method: .get, path: "/admin/api-keys", administrator: .ok, member: .forbidden, signedOut: .found, keyScope: nil),
        Route(method: .get, path: "/api/v1/api-keys", administrator: .ok, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
        Route(
            method: .post, path: "/api/v1/api-keys", body: #"{"name": "CI", "scope": "read"}"#, administrator: .created, member: .forbidden,
            signedOut: .unauthorized, keyScope: nil),
        Route(method: .delete, path: "/api/v1/api-keys/\(missing)", administrator: .notFound, member: .forbidden, signedOut: .unauthorized, keyScope: nil),
    ]

    static let passwords: [Caller: (String, String)] = [
        .owner: (TestHarness.ownerEmail, TestHarness.ownerPassword), .admin: ("admin@example.com", "admin's long password"),
        .member: ("member@example.com", "member's long password"),
    ]

    @Test("route × role: every route answers each role as the table says", arguments: Caller.allCases)
    func routeTable(caller: Caller) async throws {
        // given: an owner, an admin and a member in one workspace
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "admin@example.com", password: "admin's long password", role: .admin, workspaceID: owner.$workspace.id)
        try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            var bearer: String?
            if let (email, password) = Self.passwords[caller] {
                try await client.signIn(email: email, password: password)
                bearer = try await client.apiToken(email: email, password: password)
            }
            for route in Self.table {
                // when
                var headers: HTTPFields = [.accept: route.path.hasPrefix("/admin") ? "text/html" : "application/json"]
                if route.body != nil { headers[.contentType] = "application/json" }
                let api = route.path.hasPrefix("/api/")
                if api, let bearer { headers[.authorization] = "Bearer \(bearer)" }
                let reply = try await client.send(route.method, route.path, headers: headers, body: route.body, withCookies: !api)
                // then
                #expect(reply.status == route.expected(caller), "\(caller) \(route): \(reply.body.prefix(200))")
            }
        }
    }

    @Test("route × API key scope: a key reaches what its scope allows of its admin's routes, and no page", arguments: APIKeyScope.allCases)
    func keyScopeTable(scope: APIKeyScope) async throws {
        // given: an admin's key of this scope (and a member, so the table's routes behave as for the admin)
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "admin@example.com", password: "admin's long password", role: .admin, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: "admin@example.com", password: "admin's long password")
            let made = try await client.json(.post, "/api/v1/api-keys", ["name": "integration", "scope": scope.rawValue], bearer: token)
            let key = try #require(try made.json()["key"] as? String)
            for route in Self.table {
                // when
                var headers: HTTPFields = [.accept: "application/json", .authorization: "Bearer \(key)"]
                if route.body != nil { headers[.contentType] = "application/json" }
                let reply = try await client.send(route.method, route.path, headers: headers, body: route.body, withCookies: false)
                // then: pages never take a key; API routes answer as for the admin, or refuse the scope
                let expected: HTTPResponse.Status
                if !route.path.hasPrefix("/api/") {
                    expected = .unauthorized
                } else if let needed = route.keyScope, needed <= scope {
                    expected = route.administrator
                } else {
                    expected = .forbidden
                }
                #expect(reply.status == expected, "\(scope) key, \(route): \(reply.body.prefix(200))")
                if expected == .forbidden {
                    let code = (try reply.json()["error"] as? [String: Any])?["code"] as? String
                    #expect(code == (route.keyScope == nil ? "api_key_not_allowed" : "insufficient_scope"), "\(route)")
                }
            }
        }
    }

    @Test("members see what happened in the workspace, but not other people's addresses or IPs, nor the server's paths; admins see both")
    func membersSeeLess() async throws {
        // given: the owner signed in (an audit event with her address and IP) and connected an account
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.createUser(email: "admin@example.com", password: "admin's long password", role: .admin, workspaceID: owner.$workspace.id)
        try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            _ = try await ConnectTests.signedIn(client).connect(.googleDrive)
            try await client.json(.post, "/api/v1/auth/login", ["email": "nobody@example.com", "password": "wrong password"])
            // when: the member reads the activity log and settings, by page and by API
            let member = client.anotherBrowser()
            try await member.signIn(email: "member@example.com", password: "member's long password")
            let memberToken = try await member.apiToken(email: "member@example.com", password: "member's long password")
            let seenByMember = [
                try await member.get("/admin/activity").body, try await member.get("/admin").body,
                try await member.get("/api/v1/activity", bearer: memberToken).body,
            ]
            let memberSettings = try await member.get("/admin/settings").body
            // then
            for body in seenByMember {
                #expect(body.contains("Connected an account") || body.contains("integration_connected"))
                #expect(!body.contains(TestHarness.ownerEmail))
                #expect(!body.contains("nobody@example.com"))
                #expect(!body.contains("@githafconsulting"))
                // Pages: her own rows show where she signed in from; nobody else's do. The API
                // shows no addresses at all.
                if body.hasPrefix("{") {
                    #expect(!body.contains("127.0.0.1"))
                } else {
                    let othersRows = body.components(separatedBy: "<tr>").dropFirst().filter { !$0.contains("member@example.com") }
                    #expect(othersRows.every { !$0.contains("127.0.0.1") })
                }
            }
            #expect(!memberSettings.contains(harness.dataDirectory.path) && !memberSettings.contains("This server"))
            #expect(memberSettings.contains("member@example.com"))
            // and an admin sees who and from where
            let admin = client.anotherBrowser()
            try await admin.signIn(email: "admin@example.com", password: "admin's long password")
            let adminActivity = try await admin.get("/admin/activity").body
            #expect(adminActivity.contains(TestHarness.ownerEmail) && adminActivity.contains("127.0.0.1"))
            let adminSettings = try await admin.get("/admin/settings").body
            #expect(adminSettings.contains("This server"))
            if TestHarness.postgresBaseURL == nil { #expect(adminSettings.contains(harness.dataDirectory.path)) }
        }
    }
}

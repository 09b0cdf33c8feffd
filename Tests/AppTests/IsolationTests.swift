import CirrusCore
import FluentKit
import Foundation
import TestSupport
import Testing

@testable import App

@Suite("Isolation between users and workspaces")
struct IsolationTests {
    /// Every signed-in GET route that exists today.
    static let readRoutes = [
        "/admin", "/admin/integrations", "/admin/documents", "/admin/chat", "/admin/activity", "/admin/settings",
        "/api/v1/me", "/api/v1/integrations/", "/api/v1/integrations", "/api/v1/activity", "/api/v1/documents", "/api/v1/imports",
        "/api/v1/conversations", "/admin/chatbot", "/admin/widget", "/api/v1/chatbot", "/api/v1/widget", "/admin/insights",
        "/admin/insights/questions.csv", "/admin/insights/ratings.csv",
    ]

    @Test("a second user sees none of the first user's connections, documents or activity on any route")
    func secondUserSeesNothing() async throws {
        // given: Sarah (owner, workspace A) with a connection, a document and activity
        let harness = try await TestHarness.make()
        let marker = "sarah-private-\(UUID().uuidString.prefix(8))"
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
        }
        let mallory = try await harness.createUser(email: "mallory@example.org", password: "mallory's own password")
        try await harness.withStore { store in
            let sarah = try await User.query(on: store.database).filter(\.$email == TestHarness.ownerEmail).first()!
            #expect(sarah.$workspace.id != mallory.$workspace.id)
            try await UserIntegration(
                userID: try sarah.requireID(), workspaceID: sarah.$workspace.id, platform: .googleDrive,
                sealedAccessToken: "sealed", sealedRefreshToken: nil, tokenExpiresAt: nil,
                accountEmail: "\(marker)@gmail.com", accountName: marker, scopes: []
            ).create(on: store.database)
            let document = KnowledgeDocument()
            document.$workspace.id = sarah.$workspace.id
            document.title = "\(marker) Budget.xlsx"
            document.sourcePlatform = .googleDrive
            document.sourceFileID = "file-1"
            document.category = marker
            document.sizeBytes = 10
            document.status = .ready
            document.chunkCount = 1
            try await document.create(on: store.database)
            try await AuditEvent(
                workspaceID: sarah.$workspace.id, actorID: sarah.id, actorEmail: sarah.email, action: "sign_in",
                detail: marker, clientAddress: "127.0.0.1"
            ).create(on: store.database)
        }

        try await harness.withServer { client in
            // when: Mallory reads every route, by session and by bearer token
            try await client.signIn(email: "mallory@example.org", password: "mallory's own password")
            let token = try await client.apiToken(email: "mallory@example.org", password: "mallory's own password")
            for route in Self.readRoutes {
                let bySession = try await client.get(route)
                let byToken = try await client.get(route, bearer: token)
                // then
                #expect(bySession.status == .ok, "\(route)")
                #expect(!bySession.body.contains(marker), "\(route) leaks to a session")
                #expect(!bySession.body.contains(TestHarness.ownerEmail), "\(route) leaks the owner's address")
                #expect(!byToken.body.contains(marker), "\(route) leaks to a bearer token")
            }
            let integrations = try await client.get("/api/v1/integrations/", bearer: token).json()["integrations"] as? [[String: Any]]
            #expect(integrations?.count == 4)
            #expect(integrations?.every { $0["connected"] as? Bool == false } == true)

            // and Sarah does see her own connection
            let sarahToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let hers = try await client.get("/api/v1/integrations/", bearer: sarahToken).json()["integrations"] as? [[String: Any]]
            let drive = hers?.first { $0["platform"] as? String == "google_drive" }
            #expect(drive?["connected"] as? Bool == true)
            #expect(drive?["accountEmail"] as? String == "\(marker)@gmail.com")
        }
    }

    @Test("signed-out callers get 401 JSON on every API route")
    func apiNeedsSignIn() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            for route in Self.readRoutes where route.hasPrefix("/api/") {
                let reply = try await client.get(route)
                #expect(reply.status == .unauthorized, "\(route)")
                #expect((try reply.json()["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            }
            let bogus = try await client.get("/api/v1/me", bearer: "not-a-real-token")
            #expect(bogus.status == .unauthorized)
        }
    }

    @Test(
        "another workspace's documents and imports are not found by id, cannot be deleted or asked about, and its connection cannot be browsed or imported from"
    )
    func idsFromAnotherWorkspace() async throws {
        // given: Sarah has a connected Google Drive and an imported document
        let harness = try await TestHarness.make()
        let (documentID, jobID) = try await harness.withServer { client -> (String, String) in
            let driver = try await ImportTests.connected(client, .googleDrive)
            let root = try await ImportTests.browse(client, driver, .googleDrive)
            let docs = try await ImportTests.browse(client, driver, .googleDrive, folder: ImportTests.find("Product Docs", in: root)!["id"] as! String)
            let id = try #require(ImportTests.find("Feature Guide.docx", in: docs)?["id"] as? String)
            let job = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [id], category: "Private")
            let document = try #require(ImportTests.items(job).first?["documentId"] as? String)
            return (document, job["id"] as! String)
        }
        _ = try await harness.createUser(email: "mallory@example.org", password: "mallory's own password")
        try await harness.withServer { client in
            // when: Mallory asks for them by id
            let token = try await client.apiToken(email: "mallory@example.org", password: "mallory's own password")
            for route in ["/api/v1/documents/\(documentID)", "/api/v1/imports/\(jobID)", "/api/v1/imports/\(jobID)/events"] {
                #expect(try await client.get(route, bearer: token).status == .notFound, "\(route)")
            }
            #expect(try await client.send(.delete, "/api/v1/documents/\(documentID)", headers: [.authorization: "Bearer \(token)"]).status == .notFound)
            // and her own (unconnected) Google Drive cannot be browsed or imported from
            #expect(try await client.get("/api/v1/integrations/google_drive/files?folder_id=root", bearer: token).status != .ok)
            let started = try await client.json(.post, "/api/v1/integrations/google_drive/import", ["fileIds": ["anything"], "category": "x"], bearer: token)
            #expect(started.status != .accepted)
            // and asking the chat about it finds nothing of Sarah's
            let asked = try await client.json(.post, "/api/v1/chat", ["question": "What are the main features of our product?"], bearer: token)
            #expect(asked.status == .ok)
            #expect(!asked.body.contains("Feature Guide"), "\(asked.body)")
            #expect(try asked.json()["sources"] as? [Any] != nil && (try asked.json()["sources"] as? [Any])?.isEmpty == true)
            // then Sarah's document is still there
            let sarah = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            #expect(try await client.get("/api/v1/documents/\(documentID)", bearer: sarah).status == .ok)
        }
    }
}

import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import Knowledge
import TestSupport
import Testing

@testable import App

/// Pure HTTP logic, on the in-process router tier (no sockets but the sandbox's).
@Suite("Pages, errors, health and metrics")
struct WebTests {
    @Test("the Integrations page shows the four platforms as Not connected with a Connect button")
    func integrationsPage() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/integrations")
            #expect(page.status == .ok)
            for platform in Platform.allCases {
                #expect(page.body.contains(#"data-platform="\#(platform.rawValue)""#))
                #expect(page.body.contains(platform.displayName))
            }
            #expect(page.body.components(separatedBy: "Not connected").count - 1 == 4)
            #expect(page.body.components(separatedBy: "data-connect=").count - 1 == 4)
            for platform in Platform.allCases {
                #expect(page.body.contains(#"action="/api/v1/integrations/\#(platform.rawValue)/connect" method="post""#))
            }
            #expect(page.body.contains("Demo data"))
            #expect(page.body.contains(#"aria-current="page""#))
        }
    }

    @Test("outside demo mode an unconfigured provider shows its setup checklist instead of Connect")
    func setupChecklist() async throws {
        let harness = try await TestHarness.make([
            AppConfig.Key.demo: "false", AppConfig.Key.dropboxAppKey: "app-key", AppConfig.Key.dropboxAppSecret: "app-secret",
            AppConfig.Key.apiBaseURL: "https://kb.example.com",
        ])
        try await harness.withRouter { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/integrations").body
            #expect(!page.contains("Demo data"))
            #expect(page.contains(#"data-connect="dropbox""#))
            #expect(!page.contains(#"data-connect="google_drive""#))
            #expect(page.contains("GOOGLE_CLIENT_ID"))
            #expect(page.contains("https://kb.example.com/api/v1/integrations/google_drive/callback"))
            #expect(page.contains("7 days"))
            #expect(page.contains("MICROSOFT_TENANT_ID"))
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let refused = try await client.get("/api/v1/integrations/google_drive/connect", bearer: token)
            #expect(refused.status == .conflict)
            #expect((try refused.json()["error"] as? [String: Any])?["code"] as? String == "provider_not_configured")
            let dropbox = try await client.get("/api/v1/integrations/dropbox/connect", bearer: token)
            #expect(dropbox.status == .found)
            #expect(dropbox.headers[.location]?.hasPrefix("https://www.dropbox.com/oauth2/authorize?client_id=app-key") == true)
            #expect(dropbox.headers[.location]?.contains("token_access_type=offline") == true)
        }
    }

    @Test("every sidebar page renders for a signed-in admin", arguments: PageChrome.Section.allCases)
    func pagesRender(section: PageChrome.Section) async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get(section.route.path)
            #expect(page.status == .ok)
            #expect(page.body.contains("<title>\(section.title) · Cirrus</title>"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[.cacheControl] == "no-store")
        }
    }

    @Test("API answers are never cached; behind an https public URL every answer asks browsers to stay on https")
    func cachingAndTransport() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.apiBaseURL: "https://kb.example.com"])
        try await harness.withRouter { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let documents = try await client.get("/api/v1/documents", bearer: token)
            #expect(documents.headers[.cacheControl] == "no-store")
            #expect(documents.headers[HTTPField.Name("Strict-Transport-Security")!]?.hasPrefix("max-age=") == true)
            let login = try await client.get("/login")
            #expect(login.headers[HTTPField.Name("Strict-Transport-Security")!] != nil)
        }
        let plain = try await TestHarness.make()
        try await plain.withServer { client in
            let login = try await client.get("/login")
            #expect(login.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
        }
    }

    @Test("hostile names are escaped everywhere they are shown")
    func escaping() async throws {
        let harness = try await TestHarness.make()
        let hostile = #"<script>alert(1)</script>" onmouseover="x" &amp;"#
        try await harness.withServer { _ in }
        try await harness.withStore { store in
            let owner = try await User.query(on: store.database).first()!
            owner.displayName = hostile
            try await owner.save(on: store.database)
            try await UserIntegration(
                userID: try owner.requireID(), workspaceID: owner.$workspace.id, platform: .dropbox, sealedAccessToken: "x",
                sealedRefreshToken: nil, tokenExpiresAt: nil, accountEmail: hostile, accountName: hostile, scopes: []
            ).create(on: store.database)
            try await AuditEvent(
                workspaceID: owner.$workspace.id, actorID: nil, actorEmail: hostile, action: hostile, detail: hostile,
                clientAddress: hostile
            ).create(on: store.database)
        }
        try await harness.withRouter { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            for path in ["/admin", "/admin/integrations", "/admin/activity", "/admin/settings"] {
                let body = try await client.get(path).body
                #expect(!body.contains("<script>alert"), "\(path)")
                #expect(!body.contains(#"" onmouseover="x""#), "\(path)")
                #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&quot; &amp;amp;"), "\(path)")
            }
        }
    }

    @Test("API errors share one JSON shape; browsers get an HTML page")
    func errorShapes() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let missing = try await client.get("/api/v1/nothing-here", bearer: token)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType]?.hasPrefix("application/json") == true)
            let error = try missing.json()["error"] as? [String: Any]
            #expect(error?["code"] as? String == "not_found")
            #expect(error?["message"] is String)

            let malformed = try await client.send(
                .post, "/api/v1/auth/login", headers: [.contentType: "application/json"], body: "{not json", withCookies: false)
            #expect(malformed.status == .badRequest)
            #expect((try malformed.json()["error"] as? [String: Any])?["code"] as? String == "invalid_request")
            #expect(!malformed.body.contains("Swift"))

            let page = try await client.send(.get, "/no/such/page", headers: [.accept: "text/html"])
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.body.contains("404"))
        }
    }

    @Test("GET /health reports the database and the matrix kernels in use")
    func health() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            // A database still opening its first connections may answer "busy" (it is never waited
            // on for long); once it answers, the report says so.
            let reply = try await eventually("the database answers /health") {
                let reply = try await client.get("/health")
                return try reply.json()["database"] as? String == "ok" ? reply : nil
            }
            #expect(reply.status == .ok)
            #expect(try reply.json()["status"] as? String == "ok")
            #expect(try reply.json()["database_milliseconds"] is Int)
            let kernels = try #require(try reply.json()["matrix_kernels"] as? [String: Any])
            #expect(kernels["family"] as? String == MatrixKernels.active.family)
            #expect(kernels["chosen_by"] as? String == MatrixKernels.active.choice.rawValue)
            #expect(kernels["detected"] is String)
            #expect(kernels["dense"] as? String == DenseKernels.preferred().rawValue)
            #expect(kernels["onednn_isa"] as? String == DenseKernels.oneDNNInstructionSet)
        }
    }

    @Test("GET /metrics counts requests and latencies by route and status in Prometheus text")
    func metrics() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            _ = try await client.get("/health")
            _ = try await client.get("/health")
            _ = try await client.get("/api/v1/me")
            let text = try await client.get("/metrics").body
            #expect(text.contains("# TYPE http_requests_total counter"))
            #expect(text.contains(#"http_requests_total{method="GET",route="/health",status="200"} 2"#))
            #expect(text.contains(#"http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#))
            #expect(text.contains("# TYPE http_request_duration_seconds histogram"))
            #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"} 2"#))
        }
    }

    @Test("static assets are served from the binary with caching headers")
    func staticAssets() async throws {
        let harness = try await TestHarness.make()
        try await harness.withRouter { client in
            let css = try await client.get("/static/app.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
            let etag = try #require(css.headers[.eTag])
            let again = try await client.send(.get, "/static/app.css", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            for platform in Platform.allCases {
                #expect(try await client.get("/static/icons/\(platform.rawValue).svg").status == .ok)
            }
            #expect(try await client.get("/static/../Package.swift").status == .notFound)
        }
    }
}

@Suite("Documents page")
struct DocumentsPageTests {
    /// A ready document row (no chunks behind it), as an import would leave one.
    @discardableResult
    static func makeDocument(_ title: String, category: String, workspace: UUID, on store: Store) async throws -> KnowledgeDocument {
        let document = KnowledgeDocument()
        document.$workspace.id = workspace
        document.title = title
        document.sourcePlatform = .googleDrive
        document.sourceFileID = "file-" + title
        document.category = category
        document.sizeBytes = 10
        document.status = .ready
        document.chunkCount = 0
        try await document.create(on: store.database)
        return document
    }

    @Test("the Documents page shows 50 documents a page, newest first, with links to older and newer pages that keep the filters")
    func paging() async throws {
        // given: 120 documents in the owner's workspace
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            for index in 1...120 {
                try await Self.makeDocument(String(format: "Paged document %03d", index), category: "Paging", workspace: owner.$workspace.id, on: store)
            }
        }
        try await harness.withRouter { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when: the first, second and last pages are opened
            let first = try await client.get("/admin/documents?category=Paging")
            let second = try await client.get("/admin/documents?category=Paging&page=2")
            let third = try await client.get("/admin/documents?category=Paging&page=3")
            // then: each shows its share, and the links lead on
            func titles(_ page: TestClient.Reply) -> Int { page.body.components(separatedBy: #"data-document-title="Paged document "#).count - 1 }
            #expect(titles(first) == 50)
            #expect(titles(second) == 50)
            #expect(titles(third) == 20)
            #expect(first.body.contains(#"data-document-title="Paged document 120""#))
            #expect(!first.body.contains(#"data-document-title="Paged document 070""#))
            #expect(
                first.body.contains(#"href="/admin/documents?category=Paging&amp;page=2""#)
                    || first.body.contains(#"href="/admin/documents?category=Paging&page=2""#))
            #expect(!first.body.contains(#"rel="prev""#))
            #expect(third.body.contains(#"rel="prev""#))
            #expect(!third.body.contains(#"rel="next""#))
        }
    }

    @Test("the 'was removed' notice shows only the title this session deleted, not words from a crafted link")
    func deletedNotice() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let documentID = try await harness.withStore { store -> UUID in
            try await Self.makeDocument("Quarterly Plan", category: "Plans", workspace: owner.$workspace.id, on: store).requireID()
        }
        try await harness.withRouter { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            // when: the document is deleted from the page, the redirect names it
            let page = try await client.get("/admin/documents")
            let deleted = try await client.postForm("/admin/documents/\(documentID)/delete", [("_csrf", TestClient.csrfToken(in: page.body) ?? "")])
            let location = try #require(deleted.headers[.location])
            #expect(try await client.get(location).body.contains("Quarterly Plan” was removed"))
            // but a crafted link shows nothing, with or without a made-up signature
            for forged in ["/admin/documents?deleted=Call%20support%20now", "/admin/documents?deleted=Call%20support%20now&sig=00ff"] {
                #expect(!(try await client.get(forged).body.contains("Call support now")))
            }
        }
    }
}

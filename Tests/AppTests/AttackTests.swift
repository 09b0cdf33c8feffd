import AsyncHTTPClient
import CirrusCore
import Connectors
import FluentKit
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import App

/// The security checklist: one test per attack, each an HTTP request sequence against a running
/// server (or, for pure rules, the rule itself), named for what the attacker tries.
@Suite("Attacks")
struct AttackTests {
    static func code(_ reply: TestClient.Reply) -> String? {
        (try? reply.json()["error"] as? [String: Any])?["code"] as? String
    }

    static func connections(_ harness: TestHarness) async throws -> Int {
        try await harness.withStore { try await UserIntegration.query(on: $0.database).count() }
    }

    /// The owner signed in by cookie, with a consented browser flow: returns the callback path.
    static func consentedBrowserFlow(_ client: TestClient, _ platform: Platform = .googleDrive) async throws -> String {
        try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
        let driver = ConnectDriver(client: client, bearer: nil)
        return try await driver.consent(try await driver.start(platform))
    }

    // MARK: OAuth

    @Test("OAuth: a forged state is refused")
    func forgedState() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let forged = try await client.send(.get, "/api/v1/integrations/google_drive/callback?code=x&state=forged", headers: [.accept: "application/json"])
            #expect(forged.status == .badRequest)
            #expect(Self.code(forged) == "invalid_state")
        }
    }

    @Test("OAuth: a replayed callback (state already used) is refused")
    func replayedCallback() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            let path = try await driver.consent(try await driver.start(.googleDrive))
            #expect(try await driver.callback(path).status == .ok)
            #expect(Self.code(try await driver.callback(path)) == "invalid_state")
        }
    }

    @Test("OAuth: a state issued for one platform is refused on another's callback")
    func stateOnAnotherPlatform() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            let path = try await driver.consent(try await driver.start(.dropbox))
            let crossed = try await driver.callback(path.replacingOccurrences(of: "/dropbox/", with: "/confluence/"))
            #expect(Self.code(crossed) == "invalid_state")
        }
        #expect(try await Self.connections(harness) == 0)
    }

    @Test("OAuth: a state older than ten minutes is refused")
    func expiredState() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            let late = try await driver.consent(try await driver.start(.microsoft))
            try await harness.withStore { store in
                for state in try await OAuthState.query(on: store.database).all() {
                    state.expiresAt = Date().addingTimeInterval(-1)
                    try await state.save(on: store.database)
                }
            }
            #expect(Self.code(try await driver.callback(late)) == "expired_state")
        }
        #expect(try await Self.connections(harness) == 0)
    }

    @Test("OAuth: a provider link forwarded to a victim with no Cirrus session does not connect the victim's account")
    func forwardedLinkWithoutSession() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given: the attacker started a flow in her browser; the victim consented at the provider
            let path = try await Self.consentedBrowserFlow(client)
            // when: the victim's browser (no cookies at all) lands on the callback
            let reply = try await client.anotherBrowser().send(.get, path, headers: [.accept: "application/json"])
            // then
            #expect(reply.status == .forbidden)
            #expect(Self.code(reply) == "state_from_another_browser")
        }
        #expect(try await Self.connections(harness) == 0)
    }

    @Test("OAuth: the starting browser signed out before the callback is asked to sign in, and nothing is stored")
    func callbackAfterSignOut() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let path = try await Self.consentedBrowserFlow(client)
            let binding = try #require(client.cookie("cirrus_oauth"))
            // when: only the flow's cookie comes back (the session is gone)
            let reply = try await client.send(
                .get, path, headers: [.accept: "application/json", .cookie: "cirrus_oauth=\(binding)"], withCookies: false)
            // then
            #expect(reply.status == .unauthorized)
            #expect(Self.code(reply) == "sign_in_to_finish")
            #expect(reply.body.contains(TestHarness.ownerEmail))
        }
        #expect(try await Self.connections(harness) == 0)
    }

    @Test("OAuth: a provider link forwarded to another signed-in user is refused for them")
    func forwardedLinkToAnotherUser() async throws {
        let harness = try await TestHarness.make()
        try await harness.bootstrapOwner()
        try await harness.createUser(email: "victim@example.org", password: "victim's long password")
        try await harness.withServer { client in
            let path = try await Self.consentedBrowserFlow(client)
            let victim = client.anotherBrowser()
            try await victim.signIn(email: "victim@example.org", password: "victim's long password")
            let reply = try await victim.send(.get, path, headers: [.accept: "application/json"])
            #expect(reply.status == .forbidden)
            #expect(Self.code(reply) == "state_mismatch")
        }
        #expect(try await Self.connections(harness) == 0)
    }

    @Test("OAuth: a flow started with an API token cannot be finished without that token")
    func apiFlowFinishedByAnyone() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            let path = try await driver.consent(try await driver.start(.dropbox))
            // when: the callback comes with no credentials, or with another token of the same user
            let bare = try await client.anotherBrowser().send(.get, path, headers: [.accept: "application/json"])
            #expect(bare.status == .forbidden)
            #expect(Self.code(bare) == "state_bound_to_client")
            let otherToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let reused = try await client.send(
                .get, path, headers: [.accept: "application/json", .authorization: "Bearer \(otherToken)"], withCookies: false)
            #expect(Self.code(reused) == "invalid_state")  // the state was spent by the refused attempt
        }
        #expect(try await Self.connections(harness) == 0)
    }

    @Test("OAuth: another site cannot start a flow in a signed-in browser with a plain link (cross-site GET)")
    func crossSiteConnectLink() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let path = "/api/v1/integrations/dropbox/connect"
            let plain = try await client.send(.get, path, headers: [.accept: "application/json"])
            #expect(plain.status == .forbidden)
            #expect(Self.code(plain) == "connect_needs_post")
            let crossSite = try await client.send(.get, path, headers: [.accept: "application/json", HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            // The browser's own word that the link is on this site is enough.
            let sameOrigin = try await client.send(.get, path, headers: [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(sameOrigin.status == .found)
        }
        let states = try await harness.withStore { try await OAuthState.query(on: $0.database).count() }
        #expect(states == 1)
    }

    @Test("OAuth: another site cannot start a flow with a form post lacking the CSRF token")
    func crossSiteConnectForm() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let reply = try await client.postForm("/api/v1/integrations/dropbox/connect", [])
            #expect(reply.status == .forbidden)
            #expect(Self.code(reply) == "csrf_rejected")
        }
        let states = try await harness.withStore { try await OAuthState.query(on: $0.database).count() }
        #expect(states == 0)
    }

    @Test("OAuth: starting flows over and over keeps at most ten pending per user, and the newest still finishes")
    func pendingStateFlood() async throws {
        // Without the rate limit on starting flows, which would stop the flood first (RateLimitTests).
        let harness = try await TestHarness.make([AppConfig.Key.rateLimits: "connect=0/0"])
        try await harness.withServer { client in
            let driver = try await ConnectTests.signedIn(client)
            for _ in 0..<25 { _ = try await driver.start(.googleDrive) }
            let newest = try await driver.start(.googleDrive)
            let pending = try await harness.withStore { try await OAuthState.query(on: $0.database).count() }
            #expect(pending == OAuthFlow.maxPendingPerUser)
            #expect(try await driver.callback(try await driver.consent(newest)).status == .ok)
        }
    }

    @Test("OAuth: a planted or mangled binding cookie is replaced, not echoed back")
    func plantedBindingCookie() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/integrations")
            let csrf = try #require(TestClient.csrfToken(in: page.body))
            let session = try #require(client.cookie("cirrus_session"))
            let reply = try await client.send(
                .post, "/api/v1/integrations/dropbox/connect",
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "cirrus_session=\(session); cirrus_oauth=short\"x"],
                body: "_csrf=\(TestClient.formEncode(csrf))", withCookies: false)
            #expect(reply.status == .seeOther)
            let setCookie = reply.headers[values: .setCookie].first { $0.hasPrefix("cirrus_oauth=") } ?? ""
            #expect(!setCookie.contains("short"))
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
        }
    }

    // MARK: SSRF

    @Test("SSRF: a download redirected to an internal listener fails as an unsafe link and nothing is fetched", arguments: [Platform.microsoft, .googleDrive])
    func downloadRedirectedInside(platform: Platform) async throws {
        let harness = try await TestHarness.make()
        let recorder = RequestRecorder()
        try await recorder.run { inside in
            try await harness.withServer { client in
                // given: a connected account and a file in it
                let driver = try await ConnectTests.signedIn(client)
                let started = try await driver.start(platform)
                #expect(try await driver.callback(try await driver.consent(started)).status == .ok)
                let path = platform == .microsoft ? ["OneDrive", "Documents", "Q2 Board Report.docx"] : ["Product Docs", "Feature Guide.docx"]
                let file = try await ImportTests.walk(client, driver, platform, path)
                // when: the provider answers the download with a redirect to a cloud metadata-like internal service
                var fault: [String: Any] = [
                    "platform": platform.rawValue, "status": "redirect", "location": inside + "/latest/meta-data/iam/security-credentials/",
                ]
                fault["path"] = platform == .microsoft ? "/content" : "/files/"
                if platform == .googleDrive { fault["query"] = "alt=media" }
                try await ConnectDriver.control(started.sandboxOrigin, "/faults", fault)
                let job = try await ImportTests.importAndWait(client, driver, platform, ids: [try #require(file["id"] as? String)], category: "SSRF")
                // then
                let item = try #require(ImportTests.items(job).first)
                #expect(item["state"] as? String == "failed", "\(item)")
                #expect((item["reason"] as? String ?? "").contains("unsafe link"), "\(item)")
            }
        }
        #expect(recorder.requests.isEmpty)
    }

    @Test("SSRF: links to other schemes, hosts, ports, credentials or private addresses are refused before any request")
    func unsafeLinks() async throws {
        let production = LinkPolicy(
            hosts: .production, apiHosts: ["graph.microsoft.com"], downloadHosts: ["graph.microsoft.com", ".sharepoint.com"],
            resolve: { host in host == "rebound.sharepoint.com" ? [[169, 254, 169, 254]] : [[20, 190, 160, 1]] })
        for link in [
            "http://contoso.sharepoint.com/file", "http+unix://%2Fvar%2Frun%2Fdocker.sock/containers", "file:///etc/passwd",
            "https://evil.example/file", "https://sharepoint.com.evil.example/x", "https://contoso.sharepoint.com:8443/x",
            "https://user:pass@contoso.sharepoint.com/x", "https://169.254.169.254/latest", "https://rebound.sharepoint.com/x",
            "https://contoso.sharepoint.com/a\tb", "not a url",
        ] {
            await #expect(throws: ConnectorError.self, "\(link)") { try await production.vet(link) }
        }
        // A listed host passes; only an API host gets the token.
        #expect(try await production.vet("https://contoso.sharepoint.com/download.aspx?tempauth=x").mayCarryToken == false)
        #expect(try await production.vet("https://graph.microsoft.com/v1.0/me").mayCarryToken == true)
        // Against the sandbox, only the sandbox's own origin, under a listed host.
        let sandbox = LinkPolicy(hosts: .standIn { "http://127.0.0.1:9100" }, apiHosts: ["graph.microsoft.com"], downloadHosts: [".sharepoint.com"])
        #expect(try await sandbox.vet("http://127.0.0.1:9100/contoso.sharepoint.com/x").mayCarryToken == false)
        for link in [
            "http://127.0.0.1:9101/contoso.sharepoint.com/x", "http://localhost:9100/contoso.sharepoint.com/x", "http://127.0.0.1:9100/evil.example/x",
        ] {
            await #expect(throws: ConnectorError.self, "\(link)") { try await sandbox.vet(link) }
        }
    }

    @Test("SSRF: loopback, private, link-local, shared and reserved addresses are not public, in IPv4 and IPv6")
    func privateAddresses() {
        let refused: [[UInt8]] = [
            [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1], [169, 254, 169, 254], [100, 64, 0, 1],
            [0, 0, 0, 0], [224, 0, 0, 1], [255, 255, 255, 255], [198, 18, 0, 1],
            [UInt8](repeating: 0, count: 15) + [1],  // ::1
            [0xFD, 0] + [UInt8](repeating: 0, count: 14),  // fd00::
            [0xFE, 0x80] + [UInt8](repeating: 0, count: 14),  // fe80::
            [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1],  // ::ffff:127.0.0.1
        ]
        for address in refused { #expect(!LinkPolicy.isPublic(address), "\(address)") }
        let allowed: [[UInt8]] = [[20, 190, 160, 1], [8, 8, 8, 8], [172, 32, 0, 1], [0x20, 0x01, 0x48, 0x60] + [UInt8](repeating: 0, count: 11) + [0x88]]
        for address in allowed { #expect(LinkPolicy.isPublic(address), "\(address)") }
    }

    // MARK: Redirects, links and markup

    @Test(
        "open redirect: sign-in never sends the browser to another host",
        arguments: [
            "/%09/evil.example", "/%0A/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/admin/../..//evil.example%0a",
            "javascript:alert(1)", "/%20/evil.example", "/admin%09//evil.example", "/login", "/api/v1/documents",
        ])
    func openRedirectAfterSignIn(next: String) async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let page = try await client.get("/login")
            let decoded = next.removingPercentEncoding ?? next
            let reply = try await client.postForm(
                "/login",
                [
                    ("_csrf", TestClient.csrfToken(in: page.body) ?? ""), ("email", TestHarness.ownerEmail), ("password", TestHarness.ownerPassword),
                    ("next", decoded),
                ])
            #expect(reply.status == .seeOther)
            let location = reply.headers[.location] ?? ""
            #expect(location == "/admin" || (location.hasPrefix("/admin/") && !location.contains("//")), "\(location)")
        }
    }

    @Test("XSS: a javascript: source link is never rendered as a link, and a hostile document title is escaped")
    func hostileDocumentLinkAndTitle() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            let document = try await DocumentsPageTests.makeDocument(
                #"<img src=x onerror="alert(1)">.txt"#, category: "Notes", workspace: owner.$workspace.id, on: store)
            document.sourceURL = "javascript:alert(document.cookie)"
            try await document.save(on: store.database)
        }
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/documents").body
            #expect(!page.contains("javascript:"))
            #expect(!page.contains("<img src=x"))
            #expect(page.contains("&lt;img src=x"))
            let api = try await client.get(
                "/api/v1/documents", bearer: try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword))
            #expect(!api.body.contains("javascript:"))
        }
    }

    @Test(
        "XSS: only absolute http(s) links with a host are kept",
        arguments: [
            ("https://docs.google.com/document/d/1", true), ("http://intranet.example/page", true), ("javascript:alert(1)", false),
            ("JaVaScRiPt:alert(1)", false), ("java\tscript:alert(1)", false), ("data:text/html,<script>", false), ("//evil.example/x", false),
            ("/relative", false), ("https://user:pw@example.com", false), ("vbscript:msgbox", false),
        ])
    func sourceLinkRule(link: String, kept: Bool) {
        #expect((WebLink.safe(link) != nil) == kept)
    }

    @Test("XSS: hostile Confluence site names and account names are escaped on the Integrations page")
    func hostileSiteNames() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let hostile = #"<script>alert(1)</script>"#
        try await harness.withStore { store in
            let connection = UserIntegration(
                userID: try owner.requireID(), workspaceID: owner.$workspace.id, platform: .confluence, sealedAccessToken: "sealed",
                sealedRefreshToken: nil, tokenExpiresAt: nil, accountEmail: hostile, accountName: hostile, scopes: [])
            connection.sites = [.init(id: "a", name: hostile, url: "javascript:alert(1)"), .init(id: "b", name: "Labs", url: "https://labs.atlassian.net")]
            connection.siteID = "a"
            try await connection.create(on: store.database)
        }
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let page = try await client.get("/admin/integrations").body
            #expect(!page.contains("<script>alert"))
            #expect(page.contains("&lt;script&gt;"))
            #expect(!page.contains(#"href="javascript:"#))
        }
    }

    // MARK: CSRF, framing, roles and other workspaces

    @Test("role escalation: a member cannot delete documents, start imports or connect accounts, by API or by form")
    func memberEscalation() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let document = try await harness.withStore {
            try await DocumentsPageTests.makeDocument("Policy", category: "HR", workspace: owner.$workspace.id, on: $0)
        }
        try await harness.createUser(email: "member@example.com", password: "member's long password", role: .member, workspaceID: owner.$workspace.id)
        try await harness.withServer { client in
            let token = try await client.apiToken(email: "member@example.com", password: "member's long password")
            let id = try document.requireID()
            #expect(
                try await client.send(.delete, "/api/v1/documents/\(id)", headers: [.authorization: "Bearer \(token)"], withCookies: false).status == .forbidden
            )
            #expect(
                try await client.json(.post, "/api/v1/integrations/google_drive/import", ["fileIds": ["x"], "category": "c"], bearer: token).status
                    == .forbidden)
            try await client.signIn(email: "member@example.com", password: "member's long password")
            let page = try await client.get("/admin/documents")
            let csrf = TestClient.csrfToken(in: try await client.get("/admin/settings").body) ?? ""
            #expect(!page.body.contains("/delete\""))
            #expect(try await client.postForm("/admin/documents/\(id)/delete", [("_csrf", csrf)]).status == .forbidden)
            #expect(try await client.postForm("/api/v1/integrations/dropbox/connect", [("_csrf", csrf)]).status == .forbidden)
        }
        #expect(try await harness.withStore { try await KnowledgeDocument.find(document.id, on: $0.database) } != nil)
    }

    @Test("CSRF: a cross-site form that deletes a document is refused and the document stays")
    func csrfDeleteDocument() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let document = try await harness.withStore {
            try await DocumentsPageTests.makeDocument("Keep me", category: "Notes", workspace: owner.$workspace.id, on: $0)
        }
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let reply = try await client.postForm("/admin/documents/\(try document.requireID())/delete", [("_csrf", "guessed")])
            #expect(reply.status == .forbidden)
        }
        #expect(try await harness.withStore { try await KnowledgeDocument.find(document.id, on: $0.database) } != nil)
    }

    @Test("clickjacking: no page may be framed, and nothing is sniffed as another type")
    func framing() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            for path in ["/login", "/admin", "/api/v1/me"] {
                let reply = try await client.get(path)
                #expect(reply.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)")
                #expect(reply.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(path)")
            }
        }
    }

    @Test("IDOR: another workspace's document cannot be re-imported, deleted or read by id")
    func otherWorkspaceDocument() async throws {
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let document = try await harness.withStore {
            try await DocumentsPageTests.makeDocument("Board minutes", category: "Private", workspace: owner.$workspace.id, on: $0)
        }
        try await harness.createUser(email: "mallory@example.org", password: "mallory's own password")
        try await harness.withServer { client in
            let mallory = try await client.apiToken(email: "mallory@example.org", password: "mallory's own password")
            let id = try document.requireID()
            let auth: HTTPFields = [.authorization: "Bearer \(mallory)"]
            #expect(try await client.send(.post, "/api/v1/documents/\(id)/reimport", headers: auth, withCookies: false).status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/documents/\(id)", headers: auth, withCookies: false).status == .notFound)
            #expect(try await client.get("/api/v1/documents/\(id)", bearer: mallory).status == .notFound)
        }
        #expect(try await harness.withStore { try await KnowledgeDocument.find(document.id, on: $0.database) } != nil)
    }

    // MARK: Sign-in and sessions

    @Test("session fixation: signing in again ends the session the browser had and issues a new one")
    func freshSessionOnSignIn() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let first = try #require(client.cookie("cirrus_session"))
            // when: the same browser signs in again (the login form is still reachable by a direct post)
            let page = try await client.get("/admin/settings")
            _ = try await client.postForm(
                "/login",
                [
                    ("_csrf", TestClient.csrfToken(in: page.body) ?? ""), ("email", TestHarness.ownerEmail), ("password", TestHarness.ownerPassword),
                ])
            // then
            let second = try #require(client.cookie("cirrus_session"))
            #expect(first != second)
            let old = try await client.send(.get, "/api/v1/me", headers: [.cookie: "cirrus_session=\(first)"], withCookies: false)
            #expect(old.status == .unauthorized)
            #expect(try await client.get("/api/v1/me").status == .ok)
        }
        let sessions = try await harness.withStore { try await BrowserSession.query(on: $0.database).count() }
        #expect(sessions == 1)
    }

    @Test("brute force behind a trusted proxy locks out the attacking client only, not everyone behind the proxy")
    func throttleBehindProxy() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.trustedProxies: "127.0.0.1, ::1", AppConfig.Key.loginMaxFailures: "3"])
        try await harness.withServer { client in
            // given: the attacker, seen by the proxy as 203.0.113.7, fails on many accounts
            for attempt in 0..<12 {
                _ = try await client.send(
                    .post, "/api/v1/auth/login", headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"],
                    body: #"{"email": "user\#(attempt)@example.com", "password": "wrong password"}"#)
            }
            let blocked = try await client.send(
                .post, "/api/v1/auth/login", headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"],
                body: #"{"email": "\#(TestHarness.ownerEmail)", "password": "\#(TestHarness.ownerPassword)"}"#)
            #expect(blocked.status == .tooManyRequests)
            // then: the owner, behind the same proxy at another address, signs in
            let owner = try await client.send(
                .post, "/api/v1/auth/login", headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "spoofed, 198.51.100.20"],
                body: #"{"email": "\#(TestHarness.ownerEmail)", "password": "\#(TestHarness.ownerPassword)"}"#)
            #expect(owner.status == .ok)
        }
    }

    @Test("brute force: a client that is not a trusted proxy cannot dodge the throttle with a forged X-Forwarded-For")
    func forgedForwardedFor() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.loginMaxFailures: "2"])
        try await harness.withServer { client in
            for attempt in 0..<8 {
                _ = try await client.send(
                    .post, "/api/v1/auth/login", headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(attempt)"],
                    body: #"{"email": "user\#(attempt)@example.com", "password": "wrong password"}"#)
            }
            let next = try await client.send(
                .post, "/api/v1/auth/login", headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "198.51.100.99"],
                body: #"{"email": "\#(TestHarness.ownerEmail)", "password": "\#(TestHarness.ownerPassword)"}"#)
            #expect(next.status == .tooManyRequests)
        }
    }

    @Test("brute force: addresses in one IPv6 /64 share one allowance")
    func ipv6Rotation() async throws {
        let throttle = LoginThrottle(maxFailures: 1, windowSeconds: 60)
        for suffix in 1...4 { await throttle.recordFailure(account: "a\(suffix)@example.com", address: "2001:db8:1:2::\(suffix)") }
        await #expect(throws: AuthError.self) { try await throttle.check(account: "new@example.com", address: "2001:db8:1:2:ffff::9") }
        try await throttle.check(account: "new@example.com", address: "2001:db8:1:3::1")
    }

    @Test("memory exhaustion: made-up emails and addresses cannot grow the throttle without bound")
    func throttleFlood() async throws {
        let throttle = LoginThrottle(maxFailures: 5, windowSeconds: 60, capacity: 100)
        for index in 0..<1_000 { await throttle.recordFailure(account: "user\(index)@example.com", address: "192.0.2.\(index % 250)") }
        let tracked = await throttle.trackedKeys
        #expect(tracked.accounts <= 100 && tracked.addresses <= 100)
        // A login attempt with a string that is not an address spends no account entry at all.
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let reply = try await client.json(.post, "/api/v1/auth/login", ["email": String(repeating: "x", count: 5_000), "password": "whatever"])
            #expect(reply.status == .unauthorized)
        }
    }

    @Test("password guessing with a stolen session: wrong current passwords on the change form are throttled")
    func passwordChangeGuessing() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.loginMaxFailures: "3"])
        try await harness.withServer { client in
            try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            var statuses: [HTTPResponse.Status] = []
            for guess in 0..<4 {
                statuses.append(try await AccountTests.changePasswordForm(client, current: "guess number \(guess)", new: "a brand new passphrase").status)
            }
            #expect(statuses == [.badRequest, .badRequest, .badRequest, .tooManyRequests])
            // and even the right password waits now
            let right = try await AccountTests.changePasswordForm(client, current: TestHarness.ownerPassword, new: "a brand new passphrase")
            #expect(right.status == .tooManyRequests && right.headers[.retryAfter] != nil)
        }
    }

    @Test("account enumeration: an unknown address is checked against a decoy of the configured bcrypt cost")
    func decoyCost() async throws {
        let accounts = Accounts(store: try Store(config: try await TestHarness.make().config, logger: TestHarness.logger), bcryptCost: 6, sessionLifetime: 60)
        #expect(try await accounts.decoyHash().hasPrefix("$2b$06$"))
        await accounts.store.shutdown()
    }

    @Test("cookie tossing: behind https every cookie is Secure and __Host- prefixed, and the prefixed session works")
    func hostPrefixedCookies() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.apiBaseURL: "https://kb.example.com"])
        try await harness.withServer { client in
            let login = try await client.get("/login")
            #expect(login.headers[values: .setCookie].every { $0.hasPrefix("__Host-") && $0.contains("Secure") && $0.contains("Path=/") })
            let signedIn = try await client.signIn(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            let session = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("__Host-cirrus_session=") })
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("Path=/"))
            #expect(try await client.get("/api/v1/me").status == .ok)
            // An unprefixed cookie of the same value (as a sibling subdomain could set) is not a session.
            let value = try #require(client.cookie("__Host-cirrus_session"))
            let tossed = try await client.send(.get, "/api/v1/me", headers: [.cookie: "cirrus_session=\(value)"], withCookies: false)
            #expect(tossed.status == .unauthorized)
        }
    }

    // MARK: Production defaults

    @Test("sandbox control: the app's own origin never serves the provider sandbox or its control API")
    func sandboxControlNotOnAppOrigin() async throws {
        let harness = try await TestHarness.make()
        let paths = ["/_sandbox/stats", "/_sandbox/faults", "/_sandbox/reset", "/www.googleapis.com/drive/v3/files"]
        let answers = try await harness.withServer { client -> [(HTTPResponse.Status, HTTPResponse.Status)] in
            var answers: [(HTTPResponse.Status, HTTPResponse.Status)] = []
            for path in paths {
                answers.append((try await client.get(path).status, try await client.json(.post, path, ["status": 500]).status))
            }
            return answers
        }
        for (path, (read, write)) in zip(paths, answers) {
            #expect(read == .notFound, "\(path)")
            #expect(write != .ok, "\(path)")
        }
    }

    @Test("metrics scraping: with a metrics token, /metrics answers only to it (not to sessions or API tokens)")
    func metricsToken() async throws {
        let secret = "metrics-secret-0123456789"
        let harness = try await TestHarness.make([AppConfig.Key.metricsToken: secret])
        try await harness.withServer { client in
            #expect(try await client.get("/metrics").status == .unauthorized)
            let apiToken = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            #expect(try await client.get("/metrics", bearer: apiToken).status == .unauthorized)
            let scraped = try await client.get("/metrics", bearer: secret)
            #expect(scraped.status == .ok)
            #expect(scraped.body.contains("cirrus_http_requests_total") || scraped.body.contains("# TYPE"))
        }
    }

    @Test("metrics scraping: with a metrics port, /metrics leaves the public listener for loopback")
    func metricsPort() async throws {
        let port = try TestHarness.freePort()
        let harness = try await TestHarness.make([AppConfig.Key.metricsPort: String(port)])
        try await harness.withServer { client in
            #expect(try await client.get("/metrics").status == .notFound)
            let scraped = try await eventually("the metrics listener answers", every: .milliseconds(50)) {
                try? await ConnectDriver.http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(2))
            }
            #expect(scraped.status == .ok)
        }
    }
}

import CirrusCore
import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// Atlassian 3LO and Confluence Cloud REST, checked against providers/confluence.md.
@Suite("Confluence contract")
struct ConfluenceContractTests {
    static let client = DemoClients.client(for: .confluence, redirectURIs: [])
    static let redirectURI = SandboxHarness.redirectURI(.confluence)
    static let scopes =
        "read:page:confluence read:space:confluence read:attachment:confluence read:content.metadata:confluence search:confluence readonly:content.attachment:confluence read:me offline_access"
    static let main = ConfluenceDirectory.main.cloudID

    static func tokens(_ harness: SandboxHarness, site: String = main, scope: String = scopes) async throws -> [String: Any] {
        let params = [
            ("audience", "api.atlassian.com"), ("client_id", client.clientID), ("scope", scope), ("redirect_uri", redirectURI),
            ("state", "at-state"), ("response_type", "code"), ("prompt", "consent"),
        ]
        let page = try await harness.get(harness.url(.atlassianAuth, "/authorize?" + SandboxHarness.encode(params)))
        #expect(page.status == 200)
        #expect(page.text.contains("githaf-labs.atlassian.net"))
        let decision = try await harness.form(
            harness.url(.atlassianAuth, "/authorize"), SandboxHarness.hiddenFields(in: page.text) + [("site", site), ("decision", "allow")])
        let redirect = SandboxHarness.query(of: try #require(decision.header("Location")))
        #expect(redirect["state"] == "at-state")
        let body: [String: Any] = [
            "grant_type": "authorization_code", "client_id": client.clientID, "client_secret": client.clientSecret, "code": redirect["code"] ?? "",
            "redirect_uri": redirectURI,
        ]
        let reply = try await harness.send(
            .POST, harness.url(.atlassianAuth, "/oauth/token"), headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: body)))
        #expect(reply.status == 200)
        return reply.json
    }

    static func refresh(_ harness: SandboxHarness, _ token: String, form: Bool = false) async throws -> SandboxHarness.Reply {
        if form {
            return try await harness.form(
                harness.url(.atlassianAuth, "/oauth/token"),
                [("grant_type", "refresh_token"), ("client_id", client.clientID), ("client_secret", client.clientSecret), ("refresh_token", token)])
        }
        let body: [String: Any] = ["grant_type": "refresh_token", "client_id": client.clientID, "client_secret": client.clientSecret, "refresh_token": token]
        return try await harness.send(
            .POST, harness.url(.atlassianAuth, "/oauth/token"), headers: [("Content-Type", "application/json")],
            body: Array(try JSONSerialization.data(withJSONObject: body)))
    }

    static func api(_ harness: SandboxHarness, _ path: String, _ token: String, cloud: String = main) async throws -> SandboxHarness.Reply {
        try await harness.get(harness.url(.atlassianAPI, "/ex/confluence/\(cloud)/wiki\(path)"), token: token)
    }

    @Test("refresh tokens rotate; the old one works within the leeway; reuse after it revokes the family with 403 invalid_grant")
    func rotation() async throws {
        let clock = ManualClock()
        try await SandboxHarness.run(reuseLeeway: 600, now: clock.read) { harness in
            let first = try await Self.tokens(harness)
            #expect(first["expires_in"] as? Int == 3600)
            let original = try #require(first["refresh_token"] as? String)
            let rotated = try await Self.refresh(harness, original, form: true)
            #expect(rotated.status == 200)
            let second = try #require(rotated.json["refresh_token"] as? String)
            #expect(second != original)
            #expect(try await Self.refresh(harness, original).status == 200)
            clock.advance(by: 601)
            let late = try await Self.refresh(harness, original)
            #expect(late.status == 403)
            #expect(late.json["error"] as? String == "invalid_grant")
            #expect(late.json["error_description"] as? String == "Unknown or invalid refresh token.")
            #expect(try await Self.refresh(harness, second).status == 403)
            let noOffline = try await Self.tokens(harness, scope: "read:page:confluence read:me")
            #expect(noOffline["refresh_token"] == nil)
        }
    }

    @Test("accessible-resources lists the granted sites and a Jira-only site; /me needs read:me")
    func discovery() async throws {
        try await SandboxHarness.run { harness in
            _ = try await Self.tokens(harness, site: ConfluenceDirectory.labs.cloudID)
            let access = try #require(try await Self.tokens(harness, site: Self.main)["access_token"] as? String)
            let resources = try await harness.get(harness.url(.atlassianAPI, "/oauth/token/accessible-resources"), token: access)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(resources.body)) as? [[String: Any]])
            #expect(Set(list.compactMap { $0["id"] as? String }) == [Self.main, ConfluenceDirectory.labs.cloudID, ConfluenceDirectory.jira.cloudID])
            let jira = list.first { $0["id"] as? String == ConfluenceDirectory.jira.cloudID }
            #expect((jira?["scopes"] as? [String])?.contains("read:page:confluence") == false)
            let me = try await harness.get(harness.url(.atlassianAPI, "/me"), token: access)
            #expect(me.json["email"] as? String == "sarah@githafconsulting.com")
            let narrow = try #require(try await Self.tokens(harness, scope: "read:page:confluence")["access_token"] as? String)
            let refused = try await harness.get(harness.url(.atlassianAPI, "/me"), token: narrow)
            #expect(refused.status == 401)
            #expect(refused.header("X-Failure-Category") == "FAILURE_CLIENT_SCOPE_CHECK")
        }
    }

    @Test("v2: spaces, page tree with a folder parent, bodies only with body-format, string ids, Link header and _links.next to the end of 1,200 pages")
    func v2Browsing() async throws {
        try await SandboxHarness.run { harness in
            let access = try #require(try await Self.tokens(harness)["access_token"] as? String)
            let spaces = try await Self.api(harness, "/api/v2/spaces", access)
            let list = spaces.json["results"] as? [[String: Any]] ?? []
            #expect(list.compactMap { $0["key"] as? String } == ["ENG", "CS"])
            #expect((spaces.json["_links"] as? [String: Any])?["base"] as? String == "https://githafconsulting.atlassian.net/wiki")
            let eng = try #require(list.first { $0["key"] as? String == "ENG" })
            #expect(eng["id"] is String)
            let pages = try await Self.api(harness, "/api/v2/spaces/\(eng["id"] as! String)/pages?limit=250", access)
            let engPages = pages.json["results"] as? [[String: Any]] ?? []
            let deployments = try #require(engPages.first { $0["title"] as? String == "Deployments" })
            #expect(deployments["parentType"] as? String == "folder")
            #expect((deployments["body"] as? [String: Any])?.isEmpty == true)
            let withBody = try await Self.api(harness, "/api/v2/pages/\(deployments["id"] as! String)?body-format=storage", access)
            let storage = ((withBody.json["body"] as? [String: Any])?["storage"] as? [String: Any])?["value"] as? String
            #expect(storage?.contains("<ac:layout>") == true)
            #expect(((withBody.json["version"] as? [String: Any])?["number"]) as? Int == 1)
            let cs = try #require((try await Self.api(harness, "/api/v2/spaces?keys=CS", access).json["results"] as? [[String: Any]])?.first)
            let standups = try #require(
                (try await Self.api(harness, "/api/v2/pages?space-id=\(cs["id"] as! String)&title=Stand-up%20Notes", access).json["results"] as? [[String: Any]])?
                    .first)
            var next: String? = "/api/v2/pages/\(standups["id"] as! String)/children?limit=250"
            var count = 0
            var pagesFetched = 0
            while let path = next, pagesFetched < 10 {
                let reply = try await Self.api(harness, path, access)
                count += (reply.json["results"] as? [[String: Any]] ?? []).count
                let linkNext = (reply.json["_links"] as? [String: Any])?["next"] as? String
                #expect((reply.header("Link") != nil) == (linkNext != nil))
                next = linkNext.map { String($0.dropFirst("/wiki".count)) }
                pagesFetched += 1
            }
            #expect(count == 1200)
            #expect(pagesFetched == 5)
            let bad = try await Self.api(harness, "/api/v2/pages/not-a-number", access)
            #expect(bad.status == 400)
            let missing = try await Self.api(harness, "/api/v2/pages/999999999", access)
            #expect(missing.status == 404)
            #expect(((missing.json["errors"] as? [[String: Any]])?.first?["code"]) as? String == "NOT_FOUND")
        }
    }

    @Test("v1: CQL search with lastmodified sees edits; removed endpoints are Gone; attachments download by redirect to a media host that refuses the bearer")
    func v1AndAttachments() async throws {
        try await SandboxHarness.run { harness in
            let access = try #require(try await Self.tokens(harness)["access_token"] as? String)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = CQL.userTimeZone
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let since = formatter.string(from: Date().addingTimeInterval(-60))
            let renewals = try #require(
                (try await Self.api(harness, "/api/v2/pages?title=Renewals", access).json["results"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await harness.control(
                .PATCH, "/files/\(renewals)",
                ["content": Data("<p>Start renewal conversations 120 days before the contract ends.</p>".utf8).base64EncodedString()])
            let cql = "type=page and space=\"CS\" and lastmodified >= \"\(since)\" order by lastmodified asc"
            let search = try await Self.api(harness, "/rest/api/search?cql=\(cql.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", access)
            #expect(search.status == 200)
            let hits = search.json["results"] as? [[String: Any]] ?? []
            #expect(hits.count == 1)
            #expect((hits.first?["content"] as? [String: Any])?["id"] as? String == renewals)
            let content = try await Self.api(
                harness,
                "/rest/api/content/search?cql=\("title ~ \"Playbook\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&expand=body.storage,version",
                access)
            let first = (content.json["results"] as? [[String: Any]])?.first
            #expect(first?["title"] as? String == "Customer Onboarding Playbook")
            #expect((((first?["body"] as? [String: Any])?["storage"] as? [String: Any])?["value"] as? String)?.contains("kickoff call") == true)
            #expect(try await Self.api(harness, "/rest/api/space", access).status == 410)
            let deployments = try #require(
                (try await Self.api(harness, "/api/v2/pages?title=Deployments", access).json["results"] as? [[String: Any]])?.first?["id"] as? String)
            let attachments = try await Self.api(harness, "/api/v2/pages/\(deployments)/attachments", access).json["results"] as? [[String: Any]] ?? []
            let checklist = try #require(attachments.first { $0["title"] as? String == "Release Checklist.pdf" })
            let download = try await Self.api(harness, "/rest/api/content/\(deployments)/child/attachment/\(checklist["id"] as! String)/download", access)
            #expect(download.status == 302)
            let location = try #require(download.header("Location"))
            #expect(location.contains("/api.media.atlassian.com/"))
            #expect(try await harness.get(location, token: access).status == 401)
            let file = try await harness.get(location)
            #expect(file.status == 200)
            #expect(file.body.starts(with: Array("%PDF".utf8)))
            #expect(file.body.count == checklist["fileSize"] as? Int)
            let servlet = try await Self.api(harness, checklist["downloadLink"] as! String, access)
            #expect(servlet.status == 401)
        }
    }

    @Test("scopes gate API versions; a site not granted is refused; 429s carry Retry-After and rate-limit headers")
    func gates() async throws {
        try await SandboxHarness.run { harness in
            let classicOnly = try #require(try await Self.tokens(harness, scope: "read:confluence-content.all offline_access")["access_token"] as? String)
            let refused = try await Self.api(harness, "/api/v2/spaces", classicOnly)
            #expect(refused.status == 401)
            #expect(refused.json["message"] as? String == "Unauthorized; scope does not match")
            let access = try #require(try await Self.tokens(harness)["access_token"] as? String)
            let otherSite = try await Self.api(harness, "/api/v2/spaces", access, cloud: ConfluenceDirectory.labs.cloudID)
            #expect(otherSite.status == 401)
            _ = try await harness.control(.POST, "/faults", ["platform": "confluence", "status": 429, "rate": 1.0, "retryAfter": 4])
            let limited = try await Self.api(harness, "/api/v2/spaces", access)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "4")
            #expect(limited.header("X-RateLimit-Remaining") == "0")
        }
    }
}

import CirrusCore
import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// The Microsoft identity platform and Graph files, checked against providers/microsoft-graph.md.
@Suite("Microsoft contract")
struct MicrosoftContractTests {
    static let client = DemoClients.client(for: .microsoft, redirectURIs: [])
    static let redirectURI = SandboxHarness.redirectURI(.microsoft)
    static let scope = "offline_access openid profile User.Read Files.Read.All Sites.Read.All Team.ReadBasic.All Channel.ReadBasic.All"
    static let verifier = "ms-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ"

    static func authorize(
        _ harness: SandboxHarness, tenant: String = "common", scope: String = scope, decision: String = "allow"
    ) async throws -> [String: String] {
        let params = [
            ("client_id", client.clientID), ("response_type", "code"), ("redirect_uri", redirectURI), ("response_mode", "query"),
            ("scope", scope), ("state", "ms-state"), ("code_challenge", OAuthAuthority.s256(verifier)), ("code_challenge_method", "S256"), ("nonce", "n-1"),
        ]
        let page = try await harness.get(harness.url(.microsoftLogin, "/\(tenant)/oauth2/v2.0/authorize?" + SandboxHarness.encode(params)))
        #expect(page.status == 200)
        let fields = SandboxHarness.hiddenFields(in: page.text) + [("decision", decision)]
        let reply = try await harness.form(harness.url(.microsoftLogin, "/\(tenant)/oauth2/v2.0/authorize"), fields)
        #expect(reply.status == 302)
        return SandboxHarness.query(of: try #require(reply.header("Location")))
    }

    static func exchange(_ harness: SandboxHarness, code: String, tenant: String = "common", basic: Bool = false) async throws -> SandboxHarness.Reply {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier), ("client_info", "1")]
        var headers: [(String, String)] = []
        if basic {
            headers.append(("Authorization", "Basic " + Data("\(client.clientID):\(client.clientSecret)".utf8).base64EncodedString()))
        } else {
            fields += [("client_id", client.clientID), ("client_secret", client.clientSecret)]
        }
        return try await harness.form(harness.url(.microsoftLogin, "/\(tenant)/oauth2/v2.0/token"), fields, headers: headers)
    }

    static func token(_ harness: SandboxHarness) async throws -> String {
        let code = try #require(try await authorize(harness)["code"])
        return try #require(try await exchange(harness, code: code).json["access_token"] as? String)
    }

    static func graph(_ harness: SandboxHarness, _ path: String, _ token: String, headers: [(String, String)] = []) async throws -> SandboxHarness.Reply {
        try await harness.get(harness.url(.microsoftGraph, "/v1.0" + path), token: token, headers: headers)
    }

    @Test("authorize and token: new refresh token on every refresh, the old one still works; ext_expires_in and client_info present")
    func oauth() async throws {
        try await SandboxHarness.run { harness in
            let redirect = try await Self.authorize(harness)
            #expect(redirect["state"] == "ms-state")
            let code = try #require(redirect["code"])
            let tokens = try await Self.exchange(harness, code: code, basic: true)
            #expect(tokens.status == 200)
            let body = tokens.json
            #expect(body["token_type"] as? String == "Bearer")
            #expect((3600...5399).contains(body["expires_in"] as? Int ?? 0))
            #expect(body["ext_expires_in"] as? Int == body["expires_in"] as? Int)
            #expect(body["client_info"] is String)
            let idToken = try #require(body["id_token"] as? String)
            #expect(idToken.split(separator: ".").count == 3)
            let refresh = try #require(body["refresh_token"] as? String)
            func refreshWith(_ token: String) async throws -> SandboxHarness.Reply {
                try await harness.form(
                    harness.url(.microsoftLogin, "/common/oauth2/v2.0/token"),
                    [
                        ("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", Self.client.clientID),
                        ("client_secret", Self.client.clientSecret),
                    ])
            }
            let first = try await refreshWith(refresh)
            let rotated = try #require(first.json["refresh_token"] as? String)
            #expect(rotated != refresh)
            #expect(try await refreshWith(refresh).status == 200)
            #expect(try await refreshWith(rotated).status == 200)
        }
    }

    @Test("token errors carry AADSTS codes: code reuse 54005, other tenant 700005, wrong secret 7000215, revoked grant 50173")
    func tokenErrors() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness, tenant: "organizations")["code"])
            let otherTenant = try await Self.exchange(harness, code: code, tenant: "common")
            #expect(otherTenant.json["error_codes"] as? [Int] == [700005])
            let redeemed = try await Self.exchange(harness, code: code, tenant: "organizations")
            #expect(redeemed.status == 200)
            let reuse = try await Self.exchange(harness, code: code, tenant: "organizations")
            #expect(reuse.status == 400)
            #expect(reuse.json["error"] as? String == "invalid_grant")
            #expect(reuse.json["error_codes"] as? [Int] == [54005])
            #expect((reuse.json["error_description"] as? String)?.hasPrefix("AADSTS54005:") == true)
            #expect(reuse.json["trace_id"] is String && reuse.json["correlation_id"] is String && reuse.json["timestamp"] is String)
            let wrong = try await harness.form(
                harness.url(.microsoftLogin, "/common/oauth2/v2.0/token"),
                [
                    ("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", Self.redirectURI), ("client_id", Self.client.clientID),
                    ("client_secret", "nope"),
                ])
            #expect(wrong.status == 401)
            #expect(wrong.json["error_codes"] as? [Int] == [7_000_215])
            _ = try await harness.control(.POST, "/tokens/revoke", ["platform": "microsoft"])
            let revoked = try await harness.form(
                harness.url(.microsoftLogin, "/organizations/oauth2/v2.0/token"),
                [
                    ("grant_type", "refresh_token"), ("refresh_token", redeemed.json["refresh_token"] as? String ?? ""), ("client_id", Self.client.clientID),
                    ("client_secret", Self.client.clientSecret),
                ])
            #expect(revoked.json["error"] as? String == "invalid_grant")
            #expect(revoked.json["error_codes"] as? [Int] == [50173])
        }
    }

    @Test("no offline_access, no refresh token; an unregistered redirect URI is an error page")
    func scopesAndRedirects() async throws {
        try await SandboxHarness.run { harness in
            let code = try #require(try await Self.authorize(harness, scope: "User.Read Files.Read")["code"])
            let tokens = try await Self.exchange(harness, code: code).json
            #expect(tokens["access_token"] is String)
            #expect(tokens["refresh_token"] == nil)
            #expect(tokens["id_token"] == nil)
            let evil = try await harness.get(
                harness.url(
                    .microsoftLogin,
                    "/common/oauth2/v2.0/authorize?"
                        + SandboxHarness.encode([
                            ("client_id", Self.client.clientID), ("response_type", "code"), ("redirect_uri", "https://evil.example/cb"), ("scope", "User.Read"),
                        ])))
            #expect(evil.status == 400)
            #expect(evil.header("Location") == nil)
            #expect(evil.text.contains("AADSTS50011"))
        }
    }

    @Test("/me, OneDrive root children with $top paging to the end of a 1,200-item folder, path addressing")
    func driveBrowsing() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let me = try await Self.graph(harness, "/me", token)
            #expect(me.json["userPrincipalName"] as? String == "sarah@githafconsulting.onmicrosoft.com")
            #expect(me.header("Content-Type")?.hasPrefix("application/json;odata.metadata=minimal") == true)
            #expect(me.header("request-id") != nil)
            let root = try await Self.graph(harness, "/me/drive/root/children", token)
            let names = (root.json["value"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("Documents") && names.contains("Timesheets") && names.contains("Team Notebook"))
            let notebook = (root.json["value"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "Team Notebook" }
            #expect(notebook?["package"] != nil && notebook?["file"] == nil && notebook?["folder"] == nil)
            var next: String? = harness.url(.microsoftGraph, "/v1.0/me/drive/root:/Timesheets:/children?$top=500&$select=id,name,size")
            var count = 0
            var pages = 0
            while let url = next, pages < 10 {
                let page = try await harness.get(url, token: token)
                #expect(page.status == 200)
                let values = page.json["value"] as? [[String: Any]] ?? []
                count += values.count
                #expect(values.every { Set($0.keys).isSubset(of: ["id", "name", "size"]) })
                next = page.json["@odata.nextLink"] as? String
                pages += 1
            }
            #expect(count == 1200)
            #expect(pages == 3)
            let byPath = try await Self.graph(harness, "/me/drive/root:/Projects/Atlas/Design/Reviews/Design%20Review%20Notes.md", token)
            #expect(byPath.json["name"] as? String == "Design Review Notes.md")
            #expect(
                (byPath.json["parentReference"] as? [String: Any])?["path"] as? String
                    == "/drives/\(GraphDirectory.oneDrive.id)/root:/Projects/Atlas/Design/Reviews")
            #expect(byPath.json["size"] is Int)
            #expect(((byPath.json["file"] as? [String: Any])?["hashes"] as? [String: Any])?["quickXorHash"] is String)
            #expect(try await Self.graph(harness, "/drives/\(GraphDirectory.oneDrive.id)/items", token).status == 400)
        }
    }

    @Test("/content redirects to a pre-authenticated URL that refuses an Authorization header and honours Range")
    func download() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let item = try await Self.graph(harness, "/me/drive/root:/Documents/Q2%20Board%20Report.docx", token)
            let id = try #require(item.json["id"] as? String)
            let redirect = try await Self.graph(harness, "/me/drive/items/\(id)/content", token)
            #expect(redirect.status == 302)
            let location = try #require(redirect.header("Location"))
            #expect(location == item.json["@microsoft.graph.downloadUrl"] as? String || location.contains("tempauth="))
            let withBearer = try await harness.get(location, token: token)
            #expect(withBearer.status == 401)
            let plain = try await harness.get(location)
            #expect(plain.status == 200)
            #expect(plain.body.starts(with: [0x50, 0x4B]))
            #expect(plain.body.count == item.json["size"] as? Int)
            #expect(QuickXorHash.hash(plain.body) == ((item.json["file"] as? [String: Any])?["hashes"] as? [String: Any])?["quickXorHash"] as? String)
            let ranged = try await harness.get(location, headers: [("Range", "bytes=0-99")])
            #expect(ranged.status == 206)
            #expect(ranged.body.count == 100)
            let tampered = try await harness.get(location.replacingOccurrences(of: "tempauth=", with: "tempauth=x"))
            #expect(tampered.status == 401)
            let notebook = try await Self.graph(harness, "/me/drive/root:/Team%20Notebook:/content", token)
            #expect(notebook.status == 404)
        }
    }

    @Test("sites search pages with @odata.nextLink; /teams/ paths resolve; libraries listed; Teams channel folders point into the group drive")
    func sitesAndTeams() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            var names: [String] = []
            var next: String? = harness.url(.microsoftGraph, "/v1.0/sites?search=*")
            while let url = next {
                let page = try await harness.get(url, token: token)
                names += (page.json["value"] as? [[String: Any]] ?? []).compactMap { $0["displayName"] as? String }
                next = page.json["@odata.nextLink"] as? String
            }
            #expect(names.sorted() == ["Engineering", "Marketing", "Product Team"])
            let engineering = try await Self.graph(harness, "/sites/githafconsulting.sharepoint.com:/teams/engineering", token)
            #expect(engineering.json["displayName"] as? String == "Engineering")
            let libraries = try await Self.graph(harness, "/sites/\(GraphDirectory.marketingSiteID)/drives", token)
            #expect((libraries.json["value"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["Documents", "Brand Assets"])
            let teams = try await Self.graph(harness, "/me/joinedTeams", token)
            let team = try #require((teams.json["value"] as? [[String: Any]])?.first)
            #expect(Set(team.keys) == ["id", "displayName", "description"])
            let channels = try await Self.graph(harness, "/teams/\(team["id"] as! String)/channels", token)
            let channel = try #require((channels.json["value"] as? [[String: Any]])?.first { $0["displayName"] as? String == "General" })
            let encoded = (channel["id"] as! String).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let folder = try await Self.graph(harness, "/teams/\(team["id"] as! String)/channels/\(encoded)/filesFolder", token)
            let driveID = try #require((folder.json["parentReference"] as? [String: Any])?["driveId"] as? String)
            let files = try await Self.graph(harness, "/drives/\(driveID)/items/\(folder.json["id"] as! String)/children", token)
            #expect((files.json["value"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "Roadmap 2025.pptx" })
        }
    }

    @Test("delta: full enumeration, then changes with deleted facets and no parentReference.path; token=latest; forged tokens get 410 resyncRequired")
    func delta() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            var url: String? = harness.url(.microsoftGraph, "/v1.0/me/drive/root/delta?$top=999")
            var seen = 0
            var deltaLink: String?
            while let current = url {
                let page = try await harness.get(current, token: token)
                let values = page.json["value"] as? [[String: Any]] ?? []
                seen += values.count
                #expect(values.every { (($0["parentReference"] as? [String: Any])?["path"]) == nil })
                url = page.json["@odata.nextLink"] as? String
                deltaLink = page.json["@odata.deltaLink"] as? String
                #expect((url == nil) != (deltaLink == nil))
            }
            #expect(seen > 1200)
            let link = try #require(deltaLink)
            let report = try await Self.graph(harness, "/me/drive/root:/Documents/Q2%20Board%20Report.docx", token)
            let churn = try await Self.graph(harness, "/me/drive/root:/Documents/Customer%20Churn%20Analysis.xlsx", token)
            _ = try await harness.control(.PATCH, "/files/\(report.json["id"] as! String)", ["name": "Q2 Board Report (final).docx"])
            _ = try await harness.control(.DELETE, "/files/\(churn.json["id"] as! String)")
            let changes = try await harness.get(link, token: token)
            let values = changes.json["value"] as? [[String: Any]] ?? []
            #expect(values.contains { $0["name"] as? String == "Q2 Board Report (final).docx" })
            #expect(values.contains { $0["id"] as? String == churn.json["id"] as? String && $0["deleted"] != nil })
            #expect(changes.json["@odata.deltaLink"] is String)
            let latest = try await Self.graph(harness, "/me/drive/root/delta?token=latest", token)
            #expect((latest.json["value"] as? [Any])?.isEmpty == true)
            #expect(latest.json["@odata.deltaLink"] is String)
            let forged = try await Self.graph(harness, "/me/drive/root/delta?token=bm90LWEtdG9rZW4", token)
            #expect(forged.status == 410)
            #expect((forged.json["error"] as? [String: Any])?["code"] as? String == "resyncRequired")
            #expect(forged.header("Location")?.hasSuffix("/root/delta") == true)
        }
    }

    @Test(
        "lost access: the item is 404 and gone from children; delta reports it deleted only under Prefer: deltashowremovedasdeleted; shared again it comes back"
    )
    func lostAccess() async throws {
        try await SandboxHarness.run { harness in
            // given a delta link taken before the owner stops sharing a file
            let token = try await Self.token(harness)
            let latest = try await Self.graph(harness, "/me/drive/root/delta?token=latest", token)
            let link = try #require(latest.json["@odata.deltaLink"] as? String)
            let report = try await Self.graph(harness, "/me/drive/root:/Documents/Q2%20Board%20Report.docx", token)
            let id = try #require(report.json["id"] as? String)

            // when it is unshared
            let unshared = try await harness.control(.PATCH, "/files/\(id)", ["shared": false])
            #expect(unshared.status == 200)

            // then it is out of sight, and delta names it only when asked to
            #expect(try await Self.graph(harness, "/me/drive/items/\(id)", token).status == 404)
            let documents = try await Self.graph(harness, "/me/drive/root:/Documents:/children?$top=999", token)
            #expect((documents.json["value"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == false)
            let plain = try await harness.get(link, token: token).json["value"] as? [[String: Any]] ?? []
            #expect(!plain.contains { $0["id"] as? String == id }, "\(plain)")
            let asked = try await harness.get(link, token: token, headers: [("Prefer", "deltashowremovedasdeleted")]).json["value"] as? [[String: Any]] ?? []
            #expect(asked.contains { $0["id"] as? String == id && $0["deleted"] != nil }, "\(asked)")

            // when it is shared again, it is back, unchanged
            #expect(try await harness.control(.PATCH, "/files/\(id)", ["shared": true]).status == 200)
            let back = try await Self.graph(harness, "/me/drive/items/\(id)", token)
            #expect(back.status == 200)
            #expect(back.json["eTag"] as? String == report.json["eTag"] as? String)
        }
    }

    @Test("subscriptions: 403 without Files.ReadWrite.All; only updated on a drive root, at most 42,300 minutes; an endpoint that fails validation is refused")
    func subscriptionRefusals() async throws {
        try await SandboxHarness.run { harness in
            func create(_ token: String, _ changes: [String: Any]) async throws -> SandboxHarness.Reply {
                var body: [String: Any] = [
                    "changeType": "updated", "notificationUrl": "http://127.0.0.1:1/hooks", "resource": "/me/drive/root", "clientState": "secret",
                    "expirationDateTime": ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600)),
                ]
                for (key, value) in changes { body[key] = value }
                return try await harness.send(
                    .POST, harness.url(.microsoftGraph, "/v1.0/subscriptions"),
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                    body: Array(try JSONSerialization.data(withJSONObject: body)))
            }
            // given a token without the write scope, and one with it
            let reader = try await Self.token(harness)
            let code = try #require(try await Self.authorize(harness, scope: Self.scope + " Files.ReadWrite.All")["code"])
            let writer = try #require(try await Self.exchange(harness, code: code).json["access_token"] as? String)

            // when / then
            let unscoped = try await create(reader, [:])
            #expect(unscoped.status == 403)
            #expect((unscoped.json["error"] as? [String: Any])?["code"] as? String == "ExtensionError")
            #expect(try await create(writer, ["changeType": "created"]).status == 400)
            #expect(try await create(writer, ["resource": "/me/drive/root:/Documents"]).status == 400)
            let tooLong = ISO8601DateFormatter().string(from: Date().addingTimeInterval(42_301 * 60))
            #expect(try await create(writer, ["expirationDateTime": tooLong]).status == 400)
            let unreachable = try await create(writer, [:])
            #expect(unreachable.status == 400)
            #expect((unreachable.json["error"] as? [String: Any])?["code"] as? String == "ValidationError")
            #expect(try await harness.get(harness.url(.microsoftGraph, "/v1.0/subscriptions"), token: writer).json["value"] as? [Any] != nil)
            #expect(
                try await harness.send(.DELETE, harness.url(.microsoftGraph, "/v1.0/subscriptions/nope"), headers: [("Authorization", "Bearer \(writer)")])
                    .status == 404)
        }
    }

    @Test("Graph errors: 401 InvalidAuthenticationToken with WWW-Authenticate, 403 without the scope, 404 itemNotFound, 429 TooManyRequests with Retry-After")
    func errors() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let missing = try await harness.get(harness.url(.microsoftGraph, "/v1.0/me"))
            #expect(missing.status == 401)
            #expect((missing.json["error"] as? [String: Any])?["code"] as? String == "InvalidAuthenticationToken")
            #expect(missing.header("WWW-Authenticate") != nil)
            let notFound = try await Self.graph(harness, "/me/drive/items/01NOSUCHITEM", token, headers: [("client-request-id", "abc-123")])
            #expect(notFound.status == 404)
            let error = notFound.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "itemNotFound")
            #expect((error?["innerError"] as? [String: Any])?["client-request-id"] as? String == "abc-123")
            #expect(notFound.header("client-request-id") == "abc-123")
            let narrowCode = try #require(try await Self.authorize(harness, scope: "offline_access User.Read Files.Read")["code"])
            let narrow = try #require(try await Self.exchange(harness, code: narrowCode).json["access_token"] as? String)
            #expect(try await Self.graph(harness, "/sites?search=*", narrow).status == 403)
            _ = try await harness.control(.POST, "/faults", ["platform": "microsoft", "status": 429, "rate": 1.0, "retryAfter": 15])
            let throttled = try await Self.graph(harness, "/me/drive/root/children", token)
            #expect(throttled.status == 429)
            #expect(throttled.header("Retry-After") == "15")
            #expect((throttled.json["error"] as? [String: Any])?["code"] as? String == "TooManyRequests")
        }
    }

    @Test(
        "quickXorHash matches published test vectors",
        arguments: [
            ("", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), ("Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="), ("tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="),
            ("0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA="), ("jRRDVA==", "jaDAEKgAAAAAAAAABAAAAAAAAAA="), ("eAV52qE=", "eChAHrQRCgAAAAAABQAAAAAAAAA="),
            ("luBZlaT6", "lgBHFipBCn0AAAAABgAAAAAAAAA="), ("qaApEj66lw==", "qQBFCiTgA11cAgAABwAAAAAAAAA="), ("/aNzzCFPS/A=", "/RjFHJgRgicsAR4ACAAAAAAAAAA="),
        ])
    func quickXorHash(input: String, expected: String) {
        #expect(QuickXorHash.hash(Array(Data(base64Encoded: input)!)) == expected)
    }
}

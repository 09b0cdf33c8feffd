import CirrusCore
import Foundation
import Testing

@testable import Sandbox

/// Dropbox API v2 and OAuth, checked against providers/dropbox.md.
@Suite("Dropbox contract")
struct DropboxContractTests {
    static let client = DemoClients.client(for: .dropbox, redirectURIs: [])
    static let redirectURI = SandboxHarness.redirectURI(.dropbox)
    static let verifier = "dropbox-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"

    static func tokens(_ harness: SandboxHarness, offline: Bool = true, scope: String? = nil) async throws -> [String: Any] {
        var params = [
            ("client_id", client.clientID), ("response_type", "code"), ("redirect_uri", redirectURI), ("state", "db-state"),
            ("code_challenge", OAuthAuthority.s256(verifier)), ("code_challenge_method", "S256"),
        ]
        if offline { params.append(("token_access_type", "offline")) }
        if let scope { params.append(("scope", scope)) }
        let page = try await harness.get(harness.url(.dropboxWeb, "/oauth2/authorize?" + SandboxHarness.encode(params)))
        #expect(page.status == 200)
        let decision = try await harness.form(
            harness.url(.dropboxWeb, "/oauth2/authorize"), SandboxHarness.hiddenFields(in: page.text) + [("decision", "allow")])
        let redirect = SandboxHarness.query(of: try #require(decision.header("Location")))
        #expect(redirect["state"] == "db-state")
        let code = try #require(redirect["code"])
        let reply = try await harness.form(
            harness.url(.dropboxAPI, "/oauth2/token"),
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier),
            ], headers: [("Authorization", "Basic " + Data("\(client.clientID):\(client.clientSecret)".utf8).base64EncodedString())])
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "application/json")
        return reply.json
    }

    static func rpc(_ harness: SandboxHarness, _ route: String, _ token: String, _ body: String) async throws -> SandboxHarness.Reply {
        try await harness.send(
            .POST, harness.url(.dropboxAPI, "/2/\(route)"), headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
            body: Array(body.utf8))
    }

    @Test("offline code exchange returns a 4-hour token, a refresh token, uid and a 40-character account_id; refresh returns no new refresh token")
    func oauth() async throws {
        try await SandboxHarness.run { harness in
            let body = try await Self.tokens(harness)
            #expect(body["expires_in"] as? Int == 14400)
            #expect((body["access_token"] as? String)?.hasPrefix("sl.") == true)
            #expect(body["refresh_token"] is String)
            #expect(body["uid"] is String)
            #expect((body["account_id"] as? String)?.count == 40)
            let refreshed = try await harness.form(
                harness.url(.dropboxAPI, "/oauth2/token"),
                [
                    ("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"] as! String), ("client_id", Self.client.clientID),
                    ("client_secret", Self.client.clientSecret),
                ])
            #expect(Set(refreshed.json.keys) == ["access_token", "token_type", "expires_in"])
            let online = try await Self.tokens(harness, offline: false)
            #expect(online["refresh_token"] == nil)
        }
    }

    @Test("expired tokens get 401 expired_access_token; after revoke 401 invalid_access_token and refresh is 400 invalid_grant")
    func tokenLifecycle() async throws {
        try await SandboxHarness.run { harness in
            let body = try await Self.tokens(harness)
            let access = body["access_token"] as! String
            let account = try await Self.rpc(harness, "users/get_current_account", access, "null")
            #expect(account.status == 200)
            #expect(account.json["email"] as? String == "sarah@githafconsulting.com")
            #expect(((account.json["name"] as? [String: Any])?["display_name"]) as? String == "Sarah Mitchell")
            _ = try await harness.control(.POST, "/tokens/expire", ["platform": "dropbox"])
            let expired = try await Self.rpc(harness, "users/get_current_account", access, "null")
            #expect(expired.status == 401)
            #expect((expired.json["error"] as? [String: Any])?[".tag"] as? String == "expired_access_token")
            let fresh =
                try await harness.form(
                    harness.url(.dropboxAPI, "/oauth2/token"),
                    [
                        ("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"] as! String), ("client_id", Self.client.clientID),
                        ("client_secret", Self.client.clientSecret),
                    ]
                ).json["access_token"] as! String
            let revoke = try await Self.rpc(harness, "auth/token/revoke", fresh, "null")
            #expect(revoke.status == 200)
            #expect(revoke.text == "null")
            let invalid = try await Self.rpc(harness, "users/get_current_account", fresh, "null")
            #expect((invalid.json["error"] as? [String: Any])?[".tag"] as? String == "invalid_access_token")
            let refresh = try await harness.form(
                harness.url(.dropboxAPI, "/oauth2/token"),
                [
                    ("grant_type", "refresh_token"), ("refresh_token", body["refresh_token"] as! String), ("client_id", Self.client.clientID),
                    ("client_secret", Self.client.clientSecret),
                ])
            #expect(refresh.status == 400)
            #expect(refresh.json["error"] as? String == "invalid_grant")
        }
    }

    @Test("root is \"\": \"/\" and relative paths are 400 plain text; empty JSON body on a Void route is 400; missing scope is 401")
    func inputErrors() async throws {
        try await SandboxHarness.run { harness in
            let access = try await Self.tokens(harness)["access_token"] as! String
            let slash = try await Self.rpc(harness, "files/list_folder", access, #"{"path": "/"}"#)
            #expect(slash.status == 400)
            #expect(slash.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(slash.text.hasPrefix(#"Error in call to API function "files/list_folder": "#))
            #expect(slash.text.contains("empty string"))
            let relative = try await Self.rpc(harness, "files/list_folder", access, #"{"path": "Clients"}"#)
            #expect(relative.status == 400)
            let empty = try await Self.rpc(harness, "users/get_current_account", access, "")
            #expect(empty.status == 400)
            #expect(empty.text.contains("could not decode input as JSON"))
            let missing = try await Self.rpc(harness, "files/list_folder", access, #"{"path": "/No Such Folder"}"#)
            #expect(missing.status == 409)
            #expect((missing.json["error_summary"] as? String)?.hasPrefix("path/not_found/") == true)
            let metadataOnly = try await Self.tokens(harness, scope: "account_info.read files.metadata.read")["access_token"] as! String
            let download = try await harness.send(
                .POST, harness.url(.dropboxContent, "/2/files/download"),
                headers: [("Authorization", "Bearer \(metadataOnly)"), ("Dropbox-API-Arg", #"{"path": "/Team Handbook/Travel Policy.md"}"#)])
            #expect(download.status == 401)
            #expect((download.json["error"] as? [String: Any])?["required_scope"] as? String == "files.content.read")
        }
    }

    @Test("list_folder pages with has_more to the end of 1,200 entries; the last cursor reports later adds, edits, renames and deletions")
    func listingAndCursor() async throws {
        try await SandboxHarness.run { harness in
            let access = try await Self.tokens(harness)["access_token"] as! String
            let root = try await Self.rpc(harness, "files/list_folder", access, #"{"path": "", "recursive": false, "include_deleted": false}"#)
            let rootNames = (root.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(rootNames) == ["Clients", "Finance", "Team Handbook", "Site Visit Logs", "Misc"])
            var reply = try await Self.rpc(harness, "files/list_folder", access, #"{"path": "/site visit logs", "limit": 500}"#)
            var entries = reply.json["entries"] as? [[String: Any]] ?? []
            var calls = 1
            while reply.json["has_more"] as? Bool == true, calls < 10 {
                reply = try await Self.rpc(harness, "files/list_folder/continue", access, #"{"cursor": "\#(reply.json["cursor"] as! String)"}"#)
                entries += reply.json["entries"] as? [[String: Any]] ?? []
                calls += 1
            }
            #expect(entries.count == 1200)
            #expect(calls == 3)
            let first = try #require(entries.first)
            #expect(first[".tag"] as? String == "file")
            #expect((first["id"] as? String)?.hasPrefix("id:") == true)
            #expect((first["rev"] as? String).map { $0.count >= 9 && $0.allSatisfy(\.isHexDigit) } == true)
            #expect((first["server_modified"] as? String)?.hasSuffix("Z") == true)
            #expect((first["server_modified"] as? String)?.contains(".") == false)
            #expect((first["content_hash"] as? String)?.count == 64)
            #expect(first["path_display"] as? String == "/Site Visit Logs/visit-0001.txt")
            let cursor = reply.json["cursor"] as! String
            let second = entries[1]["id"] as! String
            let third = entries[2]["id"] as! String
            let logsFolder = try await Self.folderID(harness, access, "/Site Visit Logs")
            _ = try await harness.control(
                .POST, "/files",
                [
                    "platform": "dropbox", "parentId": logsFolder, "name": "visit-9999.txt", "mimeType": "text/plain",
                    "content": Data("new".utf8).base64EncodedString(),
                ])
            _ = try await harness.control(.PATCH, "/files/\(second)", ["name": "visit-0002-renamed.txt"])
            _ = try await harness.control(.DELETE, "/files/\(third)")
            let changes = try await Self.rpc(harness, "files/list_folder/continue", access, #"{"cursor": "\#(cursor)"}"#)
            let delta = changes.json["entries"] as? [[String: Any]] ?? []
            #expect(delta.contains { $0["name"] as? String == "visit-9999.txt" && $0[".tag"] as? String == "file" })
            #expect(
                delta.contains { $0[".tag"] as? String == "deleted" && $0["path_lower"] as? String == "/site visit logs/visit-0002.txt" && $0["id"] == nil })
            #expect(delta.contains { $0["name"] as? String == "visit-0002-renamed.txt" && $0["id"] as? String == second })
            #expect(delta.contains { $0[".tag"] as? String == "deleted" && $0["name"] as? String == "visit-0003.txt" })
            let garbage = try await Self.rpc(harness, "files/list_folder/continue", access, #"{"cursor": "garbage"}"#)
            #expect(garbage.status == 409)
            #expect((garbage.json["error"] as? [String: Any])?[".tag"] as? String == "reset")
        }
    }

    static func folderID(_ harness: SandboxHarness, _ access: String, _ path: String) async throws -> String {
        try await rpc(harness, "files/get_metadata", access, #"{"path": "\#(path)"}"#).json["id"] as! String
    }

    @Test("download: Dropbox-API-Arg in, bytes and an ASCII-escaped Dropbox-API-Result out, content_hash matches; Paper must be exported")
    func downloadAndExport() async throws {
        try await SandboxHarness.run { harness in
            let access = try await Self.tokens(harness)["access_token"] as! String
            func download(_ arg: String, route: String = "download") async throws -> SandboxHarness.Reply {
                try await harness.send(
                    .POST, harness.url(.dropboxContent, "/2/files/\(route)"), headers: [("Authorization", "Bearer \(access)"), ("Dropbox-API-Arg", arg)])
            }
            let policy = try await download(#"{"path": "/team handbook/TRAVEL POLICY.md"}"#)
            #expect(policy.status == 200)
            #expect(policy.text.contains("160 euros per night"))
            let result = try #require(policy.header("Dropbox-API-Result"))
            let metadata = try #require(try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
            #expect(metadata["name"] as? String == "Travel Policy.md")
            #expect(
                metadata["content_hash"] as? String
                    == SandboxItem(
                        id: "x", platform: .dropbox, name: "", parentID: nil, isFolder: false, mimeType: "", content: .bytes(policy.body), createdAt: Date()
                    ).dropboxContentHash)
            let accented = try await download(#"{"path": "/Misc/Caf\u00e9 Menu \u2013 \u00c9t\u00e9.txt"}"#)
            #expect(accented.status == 200)
            #expect(accented.header("Dropbox-API-Result")?.contains("\\u00e9") == true)
            #expect(accented.header("Dropbox-API-Result")?.unicodeScalars.allSatisfy { $0.isASCII } == true)
            let paper = try await download(#"{"path": "/Team Handbook/Weekly Team Meeting.paper"}"#)
            #expect(paper.status == 409)
            #expect((paper.json["error"] as? [String: Any])?[".tag"] as? String == "unsupported_file")
            let exported = try await download(#"{"path": "/Team Handbook/Weekly Team Meeting.paper", "export_format": "markdown"}"#, route: "export")
            #expect(exported.status == 200)
            #expect(exported.text.contains("Office move to the Docklands"))
            let folder = try await download(#"{"path": "/Clients"}"#)
            #expect((folder.json["error_summary"] as? String)?.hasPrefix("path/not_file/") == true)
            let ranged = try await harness.send(
                .POST, harness.url(.dropboxContent, "/2/files/download"),
                headers: [("Authorization", "Bearer \(access)"), ("Dropbox-API-Arg", #"{"path": "/Team Handbook/Travel Policy.md"}"#), ("Range", "bytes=2-7")])
            #expect(ranged.status == 206)
            #expect(ranged.text == "Travel")
        }
    }

    @Test("content_hash follows the 4 MiB block algorithm (empty file and block boundaries)")
    func contentHash() {
        func item(_ bytes: [UInt8]) -> SandboxItem {
            SandboxItem(id: "x", platform: .dropbox, name: "", parentID: nil, isFolder: false, mimeType: "", content: .bytes(bytes), createdAt: Date())
        }
        #expect(item([]).dropboxContentHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let block = 4 * 1024 * 1024
        let exact = [UInt8](repeating: 7, count: block)
        let synthetic = SandboxItem(
            id: "y", platform: .dropbox, name: "", parentID: nil, isFolder: false, mimeType: "",
            content: .synthetic(size: Int64(block * 2 + 5), pattern: [1, 2, 3, 4]), createdAt: Date())
        let materialised = item(synthetic.content.read(0..<Int64(block * 2 + 5)))
        #expect(synthetic.dropboxContentHash == materialised.dropboxContentHash)
        #expect(item(exact).dropboxContentHash != item(exact + [7]).dropboxContentHash)
    }

    @Test("longpoll needs no Authorization and returns changes: true once something changed; 429s carry Retry-After")
    func longpollAndThrottling() async throws {
        try await SandboxHarness.run { harness in
            let access = try await Self.tokens(harness)["access_token"] as! String
            let cursor = try await Self.rpc(harness, "files/list_folder/get_latest_cursor", access, #"{"path": "/Finance"}"#).json["cursor"] as! String
            let invoice = try await Self.rpc(harness, "files/get_metadata", access, #"{"path": "/Finance/Invoices 2025.xlsx"}"#).json["id"] as! String
            _ = try await harness.control(.PATCH, "/files/\(invoice)", ["content": Data("changed".utf8).base64EncodedString()])
            let poll = try await harness.send(
                .POST, harness.url(.dropboxNotify, "/2/files/list_folder/longpoll"), headers: [("Content-Type", "application/json")],
                body: Array(#"{"cursor": "\#(cursor)", "timeout": 30}"#.utf8))
            #expect(poll.status == 200)
            #expect(poll.json["changes"] as? Bool == true)
            _ = try await harness.control(.POST, "/faults", ["platform": "dropbox", "status": 429, "rate": 1.0, "retryAfter": 2])
            let limited = try await Self.rpc(harness, "files/list_folder", access, #"{"path": ""}"#)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "2")
            #expect((limited.json["error"] as? [String: Any])?["retry_after"] as? Int == 2)
        }
    }
}

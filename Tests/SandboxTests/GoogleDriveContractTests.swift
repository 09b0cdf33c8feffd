import CirrusCore
import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// Drive API v3 behaviour, checked against providers/google-drive.md §2–6.
@Suite("Google Drive contract")
struct GoogleDriveContractTests {
    /// Signs in through the real consent flow and returns an access token.
    static func token(_ harness: SandboxHarness) async throws -> String {
        let code = try #require(try await GoogleOAuthContractTests.authorize(harness)["code"])
        return try #require(try await GoogleOAuthContractTests.exchange(harness, code: code).json["access_token"] as? String)
    }

    static func list(_ harness: SandboxHarness, _ token: String, _ params: [(String, String)]) async throws -> SandboxHarness.Reply {
        try await harness.get(harness.url(.googleAPIs, "/drive/v3/files?" + SandboxHarness.encode(params)), token: token)
    }

    static func files(_ reply: SandboxHarness.Reply) -> [[String: Any]] {
        reply.json["files"] as? [[String: Any]] ?? []
    }

    @Test("the seed journey: My Drive shows Product Docs with its three files; default fields are kind, id, name, mimeType")
    func seedJourney() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let root = try await Self.list(harness, token, [("q", "'root' in parents and trashed = false"), ("pageSize", "100")])
            #expect(root.status == 200)
            let names = Self.files(root).compactMap { $0["name"] as? String }
            for expected in ["Marketing Materials", "Product Docs", "Company Logo.png", "Budget 2025.xlsx"] { #expect(names.contains(expected)) }
            #expect(!names.contains("Draft - Old Pricing.docx"))
            #expect(Set(Self.files(root)[0].keys) == ["kind", "id", "name", "mimeType"])
            let productDocs = try #require(Self.files(root).first { $0["name"] as? String == "Product Docs" }?["id"] as? String)
            let inside = try await Self.list(
                harness, token,
                [
                    ("q", "'\(productDocs)' in parents and trashed = false"),
                    ("fields", "nextPageToken,files(id,name,mimeType,size,md5Checksum,modifiedTime,version)"),
                ])
            let files = Self.files(inside)
            #expect(files.map { $0["name"] as? String ?? "" }.sorted() == ["API Documentation.pdf", "Feature Guide.docx", "Product Overview.pdf"])
            // int64 values are strings; absent fields are absent
            #expect(files.every { $0["size"] is String && $0["version"] is String && $0["md5Checksum"] is String })
            #expect((files.first?["modifiedTime"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test("without trashed = false the trash is listed too")
    func trashListedByDefault() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let all = try await Self.list(harness, token, [("q", "'root' in parents"), ("fields", "files(name,trashed)")])
            #expect(Self.files(all).contains { $0["name"] as? String == "Draft - Old Pricing.docx" && $0["trashed"] as? Bool == true })
        }
    }

    @Test("pagination to the end of a 1,200-item folder; a mask without nextPageToken hides it")
    func pagination() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let folder = try #require(Self.files(try await Self.list(harness, token, [("q", "name = 'Archive 2019-2023'")])).first?["id"] as? String)
            var names: [String] = []
            var pageToken: String?
            var pages = 0
            repeat {
                var params = [("q", "'\(folder)' in parents and trashed = false"), ("pageSize", "500"), ("fields", "nextPageToken,files(id,name)")]
                if let pageToken { params.append(("pageToken", pageToken)) }
                let reply = try await Self.list(harness, token, params)
                #expect(reply.status == 200)
                names += Self.files(reply).compactMap { $0["name"] as? String }
                pageToken = reply.json["nextPageToken"] as? String
                pages += 1
            } while pageToken != nil && pages < 10
            #expect(names.count == 1200)
            #expect(Set(names).count == 1200)
            #expect(pages == 3)
            let masked = try await Self.list(harness, token, [("q", "'\(folder)' in parents"), ("pageSize", "10"), ("fields", "files(id)")])
            #expect(masked.json["nextPageToken"] == nil)
            #expect(Self.files(masked).count == 10)
            let bad = try await Self.list(harness, token, [("q", "'\(folder)' in parents"), ("pageToken", "garbage")])
            #expect(bad.status == 400)
            #expect(((bad.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["reason"] as? String == "invalid")
            let tooBig = try await Self.list(harness, token, [("pageSize", "1001")])
            #expect(tooBig.status == 400)
        }
    }

    @Test("q: name contains is a word-prefix match; syntax errors are 400")
    func queries() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let budget = try await Self.list(harness, token, [("q", "name contains 'budg' and trashed = false")])
            #expect(Self.files(budget).map { $0["name"] as? String } == ["Budget 2025.xlsx"])
            let folders = try await Self.list(
                harness, token,
                [("q", "mimeType = 'application/vnd.google-apps.folder' and not name contains 'Archive' and 'root' in parents"), ("pageSize", "1000")])
            #expect(Self.files(folders).every { $0["mimeType"] as? String == "application/vnd.google-apps.folder" })
            #expect(!Self.files(folders).contains { $0["name"] as? String == "Archive 2019-2023" })
            let quoted = try await Self.list(harness, token, [("q", #"name = 'Q1 ∕ Q2 Roadmap Review.txt'"#)])
            #expect(Self.files(quoted).count == 1)
            let broken = try await Self.list(harness, token, [("q", "name contains")])
            #expect(broken.status == 400)
        }
    }

    @Test("downloads: bytes with the stored type, Range gives 206, an empty file with Range gives 416, Google types give 403 fileNotDownloadable")
    func downloads() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            func id(_ name: String) async throws -> String {
                try #require(Self.files(try await Self.list(harness, token, [("q", "name = '\(name)'")])).first?["id"] as? String)
            }
            let pdf = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(try await id("Product Overview.pdf"))?alt=media"), token: token)
            #expect(pdf.status == 200)
            #expect(pdf.header("Content-Type") == "application/pdf")
            #expect(pdf.body.starts(with: Array("%PDF-".utf8)))
            let partial = try await harness.get(
                harness.url(.googleAPIs, "/drive/v3/files/\(try await id("Product Overview.pdf"))?alt=media"), token: token, headers: [("Range", "bytes=0-9")])
            #expect(partial.status == 206)
            #expect(partial.body.count == 10)
            #expect(partial.header("Content-Range") == "bytes 0-9/\(pdf.body.count)")
            let empty = try await harness.get(
                harness.url(.googleAPIs, "/drive/v3/files/\(try await id("Empty Notes.txt"))?alt=media"), token: token, headers: [("Range", "bytes=0-1023")])
            #expect(empty.status == 416)
            let doc = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(try await id("Onboarding Handbook"))?alt=media"), token: token)
            #expect(doc.status == 403)
            #expect(((doc.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["reason"] as? String == "fileNotDownloadable")
        }
    }

    @Test("export: Docs to docx and text; unsupported targets 400; blobs 403 fileNotExportable; over 10 MB 403 exportSizeLimitExceeded but exportLinks work")
    func exports() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            func file(_ name: String) async throws -> [String: Any] {
                try #require(
                    Self.files(try await Self.list(harness, token, [("q", "name = '\(name)'"), ("fields", "files(id,exportLinks,size,md5Checksum)")])).first)
            }
            let handbook = try await file("Onboarding Handbook")
            #expect(handbook["md5Checksum"] == nil)
            let handbookID = try #require(handbook["id"] as? String)
            let text = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(handbookID)/export?mimeType=text/plain"), token: token)
            #expect(text.status == 200)
            #expect(text.text.contains("28 days of paid holiday"))
            let docx = try await harness.get(
                harness.url(
                    .googleAPIs, "/drive/v3/files/\(handbookID)/export?mimeType=application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                token: token)
            #expect(docx.body.starts(with: [0x50, 0x4B, 0x03, 0x04]))
            let unsupported = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(handbookID)/export?mimeType=image/png"), token: token)
            #expect(unsupported.status == 400)
            let blobID = try #require(try await file("Budget 2025.xlsx")["id"] as? String)
            let blob = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(blobID)/export?mimeType=text/csv"), token: token)
            #expect(blob.status == 403)
            let big = try await file("Master Services Agreement Archive")
            let bigID = try #require(big["id"] as? String)
            let capped = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(bigID)/export?mimeType=text/plain"), token: token)
            #expect(capped.status == 403)
            #expect(((capped.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["reason"] as? String == "exportSizeLimitExceeded")
            let link = try #require((big["exportLinks"] as? [String: String])?["text/plain"])
            #expect(link.hasPrefix(harness.origin + "/docs.google.com/"))
            let viaLink = try await harness.get(link, token: token)
            #expect(viaLink.status == 200)
            #expect(viaLink.body.count > 10 * 1024 * 1024)
        }
    }

    @Test("shared drives need supportsAllDrives and includeItemsFromAllDrives; corpora=drive needs driveId")
    func sharedDrives() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let drives = try await harness.get(harness.url(.googleAPIs, "/drive/v3/drives?pageSize=100"), token: token)
            let list = drives.json["drives"] as? [[String: Any]] ?? []
            #expect(list.map { $0["name"] as? String ?? "" } == ["Engineering Shared", "Sales Team"])
            let driveID = try #require(list.first?["id"] as? String)
            let hidden = try await Self.list(harness, token, [("q", "name = 'Architecture Overview.docx'")])
            #expect(Self.files(hidden).isEmpty)
            let visible = try await Self.list(
                harness, token,
                [
                    ("q", "'\(driveID)' in parents and trashed = false"), ("corpora", "drive"), ("driveId", driveID),
                    ("includeItemsFromAllDrives", "true"), ("supportsAllDrives", "true"), ("fields", "files(id,name,driveId)"),
                ])
            let architecture = try #require(Self.files(visible).first { $0["name"] as? String == "Architecture Overview.docx" })
            #expect(architecture["driveId"] as? String == driveID)
            let fileID = try #require(architecture["id"] as? String)
            #expect(try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(fileID)"), token: token).status == 404)
            #expect(try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(fileID)?supportsAllDrives=true"), token: token).status == 200)
            let noDriveID = try await Self.list(harness, token, [("corpora", "drive")])
            #expect(noDriveID.status == 400)
            #expect(
                ((noDriveID.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["reason"] as? String
                    == "teamDriveIdRequiresTeamDriveCorpora")
        }
    }

    @Test("changes: edits appear with the file's new version, deletes and lost access as removed, trash as trashed; then newStartPageToken")
    func changes() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let start = try #require(
                try await harness.get(harness.url(.googleAPIs, "/drive/v3/changes/startPageToken?supportsAllDrives=true"), token: token).json["startPageToken"]
                    as? String)
            let files = Self.files(
                try await Self.list(
                    harness, token,
                    [
                        ("q", "name = 'Feature Guide.docx' or name = 'Company Logo.png' or name = 'Budget 2025.xlsx' or name = 'Incident Response Runbook.md'"),
                        ("fields", "files(id,name,version)"),
                    ]))
            func id(_ name: String) -> String { files.first { $0["name"] as? String == name }?["id"] as? String ?? "" }
            let oldVersion = files.first { $0["name"] as? String == "Feature Guide.docx" }?["version"] as? String
            _ = try await harness.control(.PATCH, "/files/\(id("Feature Guide.docx"))", ["content": Data("new text".utf8).base64EncodedString()])
            _ = try await harness.control(.DELETE, "/files/\(id("Company Logo.png"))")
            _ = try await harness.control(.PATCH, "/files/\(id("Budget 2025.xlsx"))", ["trashed": true])
            _ = try await harness.control(.PATCH, "/files/\(id("Incident Response Runbook.md"))", ["shared": false])
            let reply = try await harness.get(
                harness.url(.googleAPIs, "/drive/v3/changes?pageToken=\(start)&supportsAllDrives=true&includeItemsFromAllDrives=true&fields=*"), token: token)
            let changes = reply.json["changes"] as? [[String: Any]] ?? []
            #expect(changes.count == 4)
            let edited = changes.first { $0["fileId"] as? String == id("Feature Guide.docx") }
            #expect(edited?["removed"] as? Bool == false)
            #expect((edited?["file"] as? [String: Any])?["version"] as? String != oldVersion)
            let deleted = changes.first { $0["fileId"] as? String == id("Company Logo.png") }
            #expect(deleted?["removed"] as? Bool == true)
            #expect(deleted?["file"] == nil)
            let trashed = changes.first { $0["fileId"] as? String == id("Budget 2025.xlsx") }
            #expect(trashed?["removed"] as? Bool == false)
            #expect((trashed?["file"] as? [String: Any])?["trashed"] as? Bool == true)
            // Drive does not tell lost access from deletion.
            let unshared = changes.first { $0["fileId"] as? String == id("Incident Response Runbook.md") }
            #expect(unshared?["removed"] as? Bool == true)
            #expect(try await harness.get(harness.url(.googleAPIs, "/drive/v3/files/\(id("Incident Response Runbook.md"))"), token: token).status == 404)
            let next = try #require(reply.json["newStartPageToken"] as? String)
            #expect(reply.json["nextPageToken"] == nil)
            let empty = try await harness.get(harness.url(.googleAPIs, "/drive/v3/changes?pageToken=\(next)"), token: token)
            #expect((empty.json["changes"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test("about.get requires fields; injected 429s come in Google's envelope with Retry-After")
    func aboutAndFaults() async throws {
        try await SandboxHarness.run { harness in
            let token = try await Self.token(harness)
            let noFields = try await harness.get(harness.url(.googleAPIs, "/drive/v3/about"), token: token)
            #expect(noFields.status == 400)
            let about = try await harness.get(harness.url(.googleAPIs, "/drive/v3/about?fields=user"), token: token)
            #expect((about.json["user"] as? [String: Any])?["emailAddress"] as? String == "sarah@githafconsulting.com")
            #expect(about.json["storageQuota"] == nil)
            _ = try await harness.control(
                .POST, "/faults", ["platform": "google_drive", "path": "/drive/v3/files", "status": 429, "rate": 1.0, "retryAfter": 3])
            let limited = try await Self.list(harness, token, [])
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "3")
            #expect(((limited.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?.first?["reason"] as? String == "rateLimitExceeded")
            _ = try await harness.control(.DELETE, "/faults")
            #expect(try await Self.list(harness, token, []).status == 200)
            let unauthenticated = try await harness.get(harness.url(.googleAPIs, "/drive/v3/files"))
            #expect(unauthenticated.status == 403)
        }
    }
}

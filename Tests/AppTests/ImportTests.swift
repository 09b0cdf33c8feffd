import AsyncHTTPClient
import CirrusCore
import FluentKit
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import App

/// Browsing and importing against the sandbox over real HTTP, through the real worker pipeline.
@Suite("Browse and import")
struct ImportTests {
    /// Connects `platform` and returns a driver for the signed-in owner.
    static func connected(_ client: TestClient, _ platform: Platform) async throws -> ConnectDriver {
        let driver = try await ConnectTests.signedIn(client)
        #expect(try await driver.connect(platform).status == .ok)
        return driver
    }

    /// One folder listing.
    static func browse(
        _ client: TestClient, _ driver: ConnectDriver, _ platform: Platform, folder: String = "root", pageToken: String? = nil, q: String? = nil
    ) async throws -> [String: Any] {
        var query = "folder_id=\(folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? folder)"
        if let pageToken { query += "&page_token=\(pageToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? pageToken)" }
        if let q { query += "&q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)" }
        let reply = try await client.get("/api/v1/integrations/\(platform.rawValue)/files?\(query)", bearer: driver.bearer)
        #expect(reply.status == .ok, "\(reply.body.prefix(300))")
        return try reply.json()
    }

    static func files(_ listing: [String: Any]) -> [[String: Any]] { listing["files"] as? [[String: Any]] ?? [] }

    static func find(_ name: String, in listing: [String: Any]) -> [String: Any]? { files(listing).first { $0["name"] as? String == name } }

    /// Starts an import and waits until the job is finished.
    static func importAndWait(
        _ client: TestClient, _ driver: ConnectDriver, _ platform: Platform, ids: [String], category: String, timeout: Duration = .seconds(120)
    ) async throws -> [String: Any] {
        let started = try await client.json(
            .post, "/api/v1/integrations/\(platform.rawValue)/import", ["fileIds": ids, "category": category], bearer: driver.bearer)
        #expect(started.status == .accepted, "\(started.body.prefix(300))")
        let id = try #require(try started.json()["id"] as? String)
        return try await eventually("the import finishes", timeout: timeout, every: .milliseconds(200)) {
            // Only a finished job ends the wait. A busy server (429, its store's connections all
            // taken on two loaded cores) asks to be asked again; any other error is a failure in
            // its own words, never a job without items.
            let reply = try await client.get("/api/v1/imports/\(id)", bearer: driver.bearer)
            guard reply.status == .ok else {
                if reply.status != .tooManyRequests { Issue.record("GET /api/v1/imports/\(id) answered \(reply.status): \(reply.body.prefix(500))") }
                return nil
            }
            return finished(try reply.json())
        }
    }

    static func items(_ job: [String: Any]) -> [[String: Any]] { job["items"] as? [[String: Any]] ?? [] }

    /// `job` when it has finished; nil while it runs, and for a reply that is not a job at all
    /// (an error body has no status, and must not end a wait as if the job were done).
    static func finished(_ job: [String: Any]) -> [String: Any]? {
        ["completed", "completed_with_errors"].contains(job["status"] as? String) ? job : nil
    }

    @Test("the seed's journey by API: Product Docs' three files import with chunk counts and are listed as documents")
    func seedJourney() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given a connected Google Drive
            let driver = try await Self.connected(client, .googleDrive)
            let root = try await Self.browse(client, driver, .googleDrive)
            #expect((root["breadcrumbs"] as? [[String: Any]])?.first?["name"] as? String == "My Drive")
            let folder = try #require(Self.find("Product Docs", in: root))
            #expect(folder["isFolder"] as? Bool == true)
            let inside = try await Self.browse(client, driver, .googleDrive, folder: folder["id"] as! String)
            #expect((inside["breadcrumbs"] as? [[String: Any]])?.map { $0["name"] as? String } == ["My Drive", "Product Docs"])
            let names = ["Product Overview.pdf", "Feature Guide.docx", "API Documentation.pdf"]
            let ids = try names.map { try #require(Self.find($0, in: inside)?["id"] as? String) }
            // when the three files are imported with a category
            let started = try await Self.importAndWait(client, driver, .googleDrive, ids: ids, category: "Product Documentation")
            let job = try await client.get("/api/v1/imports/\(started["id"] as? String ?? "")", bearer: driver.bearer).decode(ImportsAPI.JobDTO.self)
            // then each is done with chunks, and the documents list them with their source
            #expect(job.status == .completed)
            #expect(job.items.count == 3)
            for item in job.items {
                #expect(item.state == .done, "\(item)")
                #expect(item.chunkCount > 0)
            }
            let documents = try await client.get("/api/v1/documents?category=Product%20Documentation", bearer: driver.bearer)
                .decode(DocumentsAPI.ListResponse.self).documents
            #expect(Set(documents.map(\.title)) == Set(names))
            #expect(documents.every { $0.sourceType == "google_drive" && $0.sourceName == "Google Drive" })
            // and the average import time per file can be read from /metrics
            let metrics = try await client.get("/metrics").body
            #expect(metrics.contains(#"cirrus_import_file_duration_seconds_count{platform="google_drive",state="done"} 3"#))
            #expect(metrics.contains(#"cirrus_import_file_duration_seconds_sum{platform="google_drive",state="done"}"#))
            // and the picker marks them as in the knowledge base, unchanged
            let listed = try await Self.browse(client, driver, .googleDrive, folder: folder["id"] as! String)
            for name in names {
                let copy = try #require(Self.find(name, in: listed)?["imported"] as? [String: Any], "\(name)")
                #expect(copy["upToDate"] as? Bool == true && copy["category"] as? String == "Product Documentation" && copy["documentId"] is String)
            }
            #expect(Self.files(listed).filter { $0["imported"] != nil }.count == names.count)
            // and importing the same files again is reported as already imported
            let again = try await Self.importAndWait(client, driver, .googleDrive, ids: ids, category: "Product Documentation")
            #expect(Self.items(again).every { $0["state"] as? String == "skipped" && ($0["reason"] as? String ?? "").contains("Already imported") })
            // and once a file changes at Google, the picker says a newer version exists
            let guide = try #require(Self.find("Feature Guide.docx", in: listed)?["id"] as? String)
            let sandbox = try await driver.start(.googleDrive).sandboxOrigin
            try await ConnectDriver.control(
                sandbox, "/files/\(guide)", ["content": Data("A new guide.".utf8).base64EncodedString()],
                method: .PATCH)
            let relisted = try await Self.browse(client, driver, .googleDrive, folder: folder["id"] as! String)
            #expect((Self.find("Feature Guide.docx", in: relisted)?["imported"] as? [String: Any])?["upToDate"] as? Bool == false)
            #expect((Self.find("Product Overview.pdf", in: relisted)?["imported"] as? [String: Any])?["upToDate"] as? Bool == true)
        }
    }

    /// Folders (by name, from the top) holding files that must be refused next to ones that import.
    static let mixedFolders: [Platform: [String]] = [
        .googleDrive: ["Edge Cases"], .microsoft: ["OneDrive", "Odd Files"], .dropbox: ["Misc"],
        .confluence: ["Engineering Handbook", "Engineering Handbook"],
    ]
    /// The folder of 1,200 items on each platform.
    static let largeFolders: [Platform: [String]] = [
        .googleDrive: ["Archive 2019-2023"], .microsoft: ["OneDrive", "Timesheets"], .dropbox: ["Site Visit Logs"],
        .confluence: ["Customer Success", "Customer Success Home", "Stand-up Notes"],
    ]

    /// Browses down a path of names and returns the last item.
    static func walk(_ client: TestClient, _ driver: ConnectDriver, _ platform: Platform, _ names: [String]) async throws -> [String: Any] {
        var folder = "root"
        var item: [String: Any] = [:]
        for name in names {
            let listing = try await browse(client, driver, platform, folder: folder)
            item = try #require(find(name, in: listing), "\(name) not in \(files(listing).compactMap { $0["name"] as? String })")
            folder = item["id"] as! String
        }
        return item
    }

    @Test("a folder imports recursively on every platform; files that cannot be imported end skipped or failed with a reason", arguments: Platform.allCases)
    func folderImport(platform: Platform) async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.connected(client, platform)
            // given a folder of mixed files
            let folder = try await Self.walk(client, driver, platform, Self.mixedFolders[platform]!)
            // when the folder is imported
            let job = try await Self.importAndWait(client, driver, platform, ids: [folder["id"] as! String], category: "Everything")
            // then every item ended in a final state, with a reason where it is not done
            let items = Self.items(job)
            let summary = items.map { "\($0["name"] ?? "") \($0["state"] ?? "") \($0["reason"] ?? "")" }
            #expect(items.count > 3, "\(summary)")
            for item in items {
                let state = item["state"] as? String ?? ""
                #expect(["done", "skipped", "failed"].contains(state), "\(item)")
                if state != "done" { #expect(!(item["reason"] as? String ?? "").isEmpty, "\(item)") }
            }
            #expect(items.contains { $0["state"] as? String == "done" && ($0["chunkCount"] as? Int ?? 0) > 0 }, "\(summary)")
            #expect(items.contains { $0["state"] as? String != "done" && $0["isFolder"] as? Bool != true }, "\(summary)")
        }
    }

    @Test("browsing pages to the bottom of the 1,200-item folder", arguments: Platform.allCases)
    func pagesToTheBottom(platform: Platform) async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.connected(client, platform)
            let folder = try await Self.walk(client, driver, platform, Self.largeFolders[platform]!)["id"] as! String
            if platform == .confluence {
                let started = try await driver.start(.confluence)
                try await ConnectDriver.control(
                    started.sandboxOrigin, "/files",
                    [
                        "platform": "confluence", "parentId": String(folder.dropFirst("page:".count)), "name": "Stand-up summary.pdf",
                        "mimeType": "application/pdf", "content": Data("%PDF-1.4".utf8).base64EncodedString(),
                    ])
            }
            var pageToken: String?
            var lastPage: [[String: Any]] = []
            var seen = Set<String>()
            var pages = 0
            repeat {
                let listing = try await Self.browse(client, driver, platform, folder: folder, pageToken: pageToken)
                for file in Self.files(listing) { seen.insert(file["id"] as! String) }
                lastPage = Self.files(listing)
                pageToken = listing["nextPageToken"] as? String
                pages += 1
            } while pageToken != nil && pages < 100
            #expect(seen.count >= 1200, "\(seen.count) items in \(pages) pages")
            #expect(pages > 1)
            if platform == .confluence {
                // a page's attachments follow its last page of children
                #expect(lastPage.contains { $0["name"] as? String == "Stand-up summary.pdf" }, "\(lastPage.suffix(3))")
            }
        }
    }

    @Test(
        "search within the provider finds a file by name on every platform",
        arguments: [
            (Platform.googleDrive, "Feature", "Feature Guide.docx"), (.microsoft, "Timesheet 0001", "Timesheet 0001.txt"),
            (.dropbox, "visit-0001", "visit-0001.txt"), (.confluence, "Stand-up 0001", "Stand-up 0001"),
        ])
    func search(platform: Platform, query: String, expected: String) async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.connected(client, platform)
            let results = try await Self.browse(client, driver, platform, q: query)
            #expect(Self.find(expected, in: results) != nil, "\(Self.files(results).compactMap { $0["name"] as? String })")
        }
    }

    @Test("Google Drive: Shared with me and Shared drives are browsable, with breadcrumbs, and Workspace files show their export format")
    func googleVirtualFolders() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            let driver = try await Self.connected(client, .googleDrive)
            let root = try await Self.browse(client, driver, .googleDrive)
            #expect(Self.find("Shared with me", in: root)?["isFolder"] as? Bool == true)
            let shared = try await Self.browse(client, driver, .googleDrive, folder: "shared-with-me")
            #expect(!Self.files(shared).isEmpty)
            let drives = try await Self.browse(client, driver, .googleDrive, folder: "shared-drives")
            let drive = try #require(Self.files(drives).first)
            let inside = try await Self.browse(client, driver, .googleDrive, folder: drive["id"] as! String)
            #expect(
                (inside["breadcrumbs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["My Drive", "Shared drives", drive["name"] as! String])
            // every listing's Google-native documents say what they import as
            let all = Self.files(root) + Self.files(shared) + Self.files(inside)
            let native = all.filter { ($0["mimeType"] as? String ?? "").hasPrefix("application/vnd.google-apps.document") }
            #expect(native.every { $0["exportFormat"] as? String == "docx" })
        }
    }

    @Test("re-importing: an unchanged file is already imported; a newer revision replaces the document in place")
    func newerRevisionReplaces() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given an imported text file
            let driver = try await ConnectTests.signedIn(client)
            let started = try await driver.start(.googleDrive)
            #expect(try await driver.callback(try await driver.consent(started)).status == .ok)
            let folder = try await ConnectDriver.makeDriveFolder(started.sandboxOrigin, name: "Revisions", files: 1)
            let job = try await Self.importAndWait(client, driver, .googleDrive, ids: [folder], category: "Notes")
            let documentID = try #require(Self.items(job).first { $0["isFolder"] as? Bool != true }?["documentId"] as? String)
            // when it is re-imported unchanged
            let same = try await client.json(.post, "/api/v1/documents/\(documentID)/reimport", [:], bearer: driver.bearer)
            #expect(same.status == .accepted)
            let sameJob = try await Self.waitFor(client, driver, job: try same.json()["id"] as! String)
            #expect(Self.items(sameJob).first?["reason"] as? String == "Already imported (same revision).")
            // and after the file changes at the provider
            let fileID = try #require(Self.items(job).first { $0["isFolder"] as? Bool != true }?["fileId"] as? String)
            var request = HTTPClientRequest(url: started.sandboxOrigin + "/_sandbox/files/\(fileID)")
            request.method = .PATCH
            request.headers.add(name: "Content-Type", value: "application/json")
            let updated = "Revised note: the shipment now leaves on the first Monday of each month."
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["content": Data(updated.utf8).base64EncodedString()])))
            #expect(try await ConnectDriver.http.execute(request, timeout: .seconds(10)).status == .ok)
            let changed = try await client.json(.post, "/api/v1/documents/\(documentID)/reimport", [:], bearer: driver.bearer)
            let changedJob = try await Self.waitFor(client, driver, job: try changed.json()["id"] as! String)
            // then the same document now holds the new text
            #expect(Self.items(changedJob).first?["state"] as? String == "done")
            #expect(Self.items(changedJob).first?["documentId"] as? String == documentID)
            try await harness.withStore { store in
                let chunks = try await KnowledgeChunk.query(on: store.database).filter(\.$document.$id == UUID(uuidString: documentID)!).all()
                #expect(chunks.map(\.text) == [updated])
            }
        }
    }

    static func waitFor(_ client: TestClient, _ driver: ConnectDriver, job id: String) async throws -> [String: Any] {
        try await eventually("the import finishes", timeout: .seconds(120)) {
            finished(try await client.get("/api/v1/imports/\(id)", bearer: driver.bearer).json())
        }
    }
}

/// The estimate the import dialog shows ("about 3 min left"): from the pace of the files
/// finished so far, folders not counted.
@Suite("Import estimate")
struct ImportEstimateTests {
    static func item(_ state: ImportItemState, folder: Bool = false, chunks: Int = 0) -> ImportItem {
        let item = ImportItem()
        item.state = state
        item.isFolder = folder
        item.chunkCount = chunks
        return item
    }

    @Test("3 of 12 files done in a minute leave about three minutes; a folder row does not count as a file")
    func paceSoFar() {
        // given: a job started a minute ago with 3 files done, 9 waiting and the folder they came from
        let job = ImportJob()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        job.createdAt = now.addingTimeInterval(-60)
        let items = [Self.item(.done, folder: true)] + (0..<3).map { _ in Self.item(.done, chunks: 2) } + (0..<9).map { _ in Self.item(.waiting) }
        // when
        let report = ImportService.Report(job: job, items: items, now: now)
        // then
        #expect(report.total == 12 && report.completed == 3)
        #expect(report.etaSeconds == 180)
    }

    @Test("no estimate before the first file ends, nor after the last")
    func noPace() {
        let job = ImportJob()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        job.createdAt = now.addingTimeInterval(-30)
        #expect(ImportService.Report(job: job, items: [Self.item(.waiting), Self.item(.downloading)], now: now).etaSeconds == nil)
        #expect(ImportService.Report(job: job, items: [Self.item(.done, chunks: 1), Self.item(.failed)], now: now).etaSeconds == nil)
    }
}

/// The picker's preview: a file's details and the start of its text, read without importing.
@Suite("File preview")
struct FilePreviewTests {
    @Test("a file's preview shows its text read on the fly and stores nothing; a folder says why there is none; a made-up id is not found")
    func preview() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given: Google Drive connected
            let driver = try await ImportTests.connected(client, .googleDrive)
            let guide = try await ImportTests.walk(client, driver, .googleDrive, ["Product Docs", "Feature Guide.docx"])
            let folder = try await ImportTests.walk(client, driver, .googleDrive, ["Product Docs"])
            // when
            let id = try #require(guide["id"] as? String)
            let shown = try await client.get("/api/v1/integrations/google_drive/files/\(id)/preview", bearer: driver.bearer)
            // then
            #expect(shown.status == .ok, "\(shown.body.prefix(300))")
            let body = try shown.json()
            #expect(body["name"] as? String == "Feature Guide.docx" && body["reason"] == nil)
            #expect((body["text"] as? String ?? "").count > 80)
            #expect(body["size"] is Int && body["modifiedTime"] is String)
            let folderID = try #require(folder["id"] as? String)
            let ofFolder = try await client.get("/api/v1/integrations/google_drive/files/\(folderID)/preview", bearer: driver.bearer).json()
            #expect(ofFolder["text"] == nil && (ofFolder["reason"] as? String ?? "").contains("folder"))
            #expect(try await client.get("/api/v1/integrations/google_drive/files/nope/preview", bearer: driver.bearer).status == .notFound)
        }
        // and nothing was imported
        let documents = try await harness.withStore { try await KnowledgeDocument.query(on: $0.database).count() }
        #expect(documents == 0)
    }
}

import AsyncHTTPClient
import CirrusCore
import FluentKit
import Foundation
import HTTPTypes
import NIOCore
import TestSupport
import Testing

@testable import App

/// Synced sources against the sandbox over real HTTP: every kind of change at every provider,
/// made through the sandbox's control API, reaches the knowledge base through a sync run and
/// the real import pipeline.
@Suite("Continuous sync")
struct SyncTests {
    /// Runs only when asked for ("Sync now"), so each test decides when one happens.
    static let settings = [AppConfig.Key.syncInterval: "3600", AppConfig.Key.importRetryBase: "0"]

    /// A folder made for one test at a provider, beside one that is out of the source's scope.
    struct Scope {
        let origin: String
        let platform: Platform
        /// Sandbox ids (what the control API takes).
        let folder: String
        let outside: String
        /// The connector's id of `folder` (what the import and the source name).
        let rootID: String

        @discardableResult
        func create(_ name: String, in parent: String? = nil, text: String) async throws -> String {
            try await SyncTests.create(origin, platform, name: name, parent: parent ?? folder, folder: false, text: text)
        }

        func createFolder(_ name: String, in parent: String? = nil) async throws -> String {
            try await SyncTests.create(origin, platform, name: name, parent: parent ?? folder, folder: true, text: nil)
        }

        func update(_ id: String, _ changes: [String: Any]) async throws {
            var body = changes
            if let text = changes["content"] as? String { body["content"] = Data(text.utf8).base64EncodedString() }
            let reply = try await ConnectDriver.control(origin, "/files/\(id)", body, method: .PATCH)
            #expect(reply["id"] as? String == id, "\(reply)")
        }

        func delete(_ id: String) async throws {
            try await ConnectDriver.control(origin, "/files/\(id)", [:], method: .DELETE)
        }
    }

    static func create(_ origin: String, _ platform: Platform, name: String, parent: String?, folder: Bool, text: String?) async throws -> String {
        let reply = try await ConnectDriver.control(
            origin, "/files", ChurnWorld.newItem(platform.rawValue, name: name, parent: parent, text: folder ? nil : text ?? ""))
        return try #require(reply["id"] as? String, "\(reply)")
    }

    /// Where a new top-level folder shows in the file browser, by the names above it.
    static func browsePath(_ platform: Platform) -> [String] {
        switch platform {
        case .googleDrive, .dropbox: []
        case .microsoft: ["OneDrive"]
        // Confluence content lives in spaces, under a page: the Engineering Handbook's home page here.
        case .confluence: ["Engineering Handbook", "Engineering Handbook"]
        }
    }

    /// Where a new top-level folder of each platform shows in the file browser, and the
    /// sandbox id of its parent.
    static func makeScope(_ client: TestClient, _ driver: ConnectDriver, _ platform: Platform) async throws -> Scope {
        let origin = try await driver.start(platform).sandboxOrigin
        let name = "Synced \(UUID().uuidString.prefix(8))"
        let path = browsePath(platform)
        let parent =
            platform == .confluence
            ? String((try await ImportTests.walk(client, driver, .confluence, path)["id"] as? String ?? "").dropFirst("page:".count)) : nil
        let folder = try await create(origin, platform, name: name, parent: parent, folder: true, text: nil)
        let outside = try await create(origin, platform, name: name + " (outside)", parent: parent, folder: true, text: nil)
        let root = try #require(try await ImportTests.walk(client, driver, platform, path + [name])["id"] as? String)
        return Scope(origin: origin, platform: platform, folder: folder, outside: outside, rootID: root)
    }

    static func source(_ client: TestClient, _ bearer: String?, _ id: UUID) async throws -> SourcesAPI.SourceDTO {
        let reply = try await client.get("/api/v1/sources/\(id)", bearer: bearer)
        #expect(reply.status == .ok, "\(reply.body.prefix(300))")
        return try reply.decode(SourcesAPI.SourceDTO.self)
    }

    /// Asks for a run, waits for it to end and for the imports it queued to finish.
    @discardableResult
    static func syncAndSettle(_ client: TestClient, _ bearer: String?, _ id: UUID) async throws -> SourcesAPI.SourceDTO {
        let reply = try await Self.call(client, .post, "/api/v1/sources/\(id)/sync", bearer: bearer)
        #expect(reply.status == .accepted, "\(reply.body.prefix(300))")
        // The request brings the next run to now; the run's end moves it an interval away.
        let after = try await eventually("the sync run ends", timeout: .seconds(120), every: .milliseconds(100)) {
            let source = try await Self.source(client, bearer, id)
            return source.status != .running && (source.nextRunAt ?? .distantPast) > Date().addingTimeInterval(1800) ? source : nil
        }
        try await settleImports(client, bearer)
        return after
    }

    static func settleImports(_ client: TestClient, _ bearer: String?) async throws {
        try await eventually("the imports finish", timeout: .seconds(180), every: .milliseconds(100)) {
            (try await client.get("/api/v1/imports?status=running", bearer: bearer).json()["imports"] as? [Any])?.isEmpty == true
        }
    }

    /// The workspace's documents of one platform, with their passages' text.
    static func documents(_ harness: TestHarness, _ platform: Platform) async throws -> [String: (document: KnowledgeDocument, text: String, chunks: [UUID])] {
        try await harness.withStore { store in
            let documents = try await KnowledgeDocument.query(on: store.database).filter(\.$sourcePlatform == platform).all()
            var byTitle: [String: (KnowledgeDocument, String, [UUID])] = [:]
            for document in documents {
                let chunks = try await KnowledgeChunk.query(on: store.database).filter(\.$document.$id == document.requireID()).sort(\.$ordinal).all()
                #expect(byTitle[document.title] == nil, "“\(document.title)” is held twice")
                byTitle[document.title] = (document, chunks.map(\.text).joined(separator: "\n"), chunks.compactMap(\.id))
            }
            return byTitle
        }
    }

    /// A request without a body, with the bearer token.
    @discardableResult
    static func call(_ client: TestClient, _ method: HTTPRequest.Method, _ uri: String, bearer: String?) async throws -> TestClient.Reply {
        var headers: HTTPFields = [:]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await client.send(method, uri, headers: headers, withCookies: bearer == nil)
    }

    static func sourceID(_ job: [String: Any]) throws -> UUID {
        try #require((job["sourceId"] as? String).flatMap(UUID.init(uuidString:)), "the import made no synced source: \(job)")
    }

    @Test("every kind of change at the provider reaches the knowledge base in one run", arguments: Platform.allCases)
    func everyChangeFollows(platform: Platform) async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced folder holding files to edit, rename, delete, move out, trash, unshare and move within
            let driver = try await ImportTests.connected(client, platform)
            let scope = try await Self.makeScope(client, driver, platform)
            let edited = try await scope.create("alpha.txt", text: "Alpha notes: the kiln runs at 900 degrees.")
            let renamed = try await scope.create("bravo.txt", text: "Bravo notes: the glaze needs two coats.")
            let deleted = try await scope.create("charlie.txt", text: "Charlie notes: the quokka mascot retires.")
            let movedOut = try await scope.create("delta.txt", text: "Delta notes: the pallet count is forty.")
            let trashed = try await scope.create("echo.txt", text: "Echo notes: the wombat survey starts Monday.")
            let sub = try await scope.createFolder("Sub")
            let movedWithin = try await scope.create("foxtrot.txt", in: sub, text: "Foxtrot notes: the crane is inspected yearly.")
            let unshared = try await scope.create("hotel.txt", text: "Hotel notes: the night porter keeps the keys.")
            let job = try await ImportTests.importAndWait(client, driver, platform, ids: [scope.rootID], category: "Synced")
            let sourceID = try Self.sourceID(job)
            // A first run (a full comparison) is over before anything changes.
            let baseline = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            let before = try await Self.documents(harness, platform)
            for name in ["alpha.txt", "bravo.txt", "charlie.txt", "delta.txt", "echo.txt", "foxtrot.txt", "hotel.txt"] {
                #expect(before[name] != nil, "\(name) was not imported: \(before.keys.sorted())")
            }

            // when each kind of change is made at the provider and the source syncs
            try await scope.update(edited, ["content": "Alpha notes, revised: the kiln now runs at 1200 degrees."])
            try await scope.update(renamed, ["name": "bravo (final).txt"])
            try await scope.delete(deleted)
            try await scope.update(movedOut, ["parentId": scope.outside])
            try await scope.update(trashed, ["trashed": true])
            try await scope.update(movedWithin, ["parentId": scope.folder])
            try await scope.update(unshared, ["shared": false])
            try await scope.create("golf.txt", in: sub, text: "Golf notes: the new hire starts in June.")
            let source = try await Self.syncAndSettle(client, driver.bearer, sourceID)

            // then the knowledge base holds exactly what the folder holds now
            let after = try await Self.documents(harness, platform)
            let files = Set(after.keys.filter { $0.hasSuffix(".txt") })
            #expect(files == ["alpha.txt", "bravo (final).txt", "foxtrot.txt", "golf.txt"], "\(source)")
            #expect(after["alpha.txt"]?.text.contains("1200 degrees") == true)
            #expect(after["alpha.txt"]?.document.id == before["alpha.txt"]?.document.id, "edited in place")
            #expect(after["bravo (final).txt"]?.document.id == before["bravo.txt"]?.document.id, "renamed in place")
            if platform != .confluence {
                // (Confluence names an attachment by its page: moved to another page, it is another file.)
                #expect(after["foxtrot.txt"]?.document.id == before["foxtrot.txt"]?.document.id)
                // the content is unchanged (its checksum says so): the passages stay, not embedded again
                #expect(after["bravo (final).txt"]?.chunks == before["bravo.txt"]?.chunks)
            }
            let changes = source.totalChanges - baseline.totalChanges
            if platform == .confluence {
                #expect(changes.added == 2 && changes.removed == 5, "\(changes)")
            } else {
                #expect(changes.added == 1 && changes.removed == 4 && changes.updated == 1 && changes.renamed == 1 && changes.moved == 1, "\(changes)")
            }
            #expect(source.lastError == nil)
            // and the chat no longer cites what is gone
            let answer = try await client.json(.post, "/api/v1/chat", ["question": "Who is the quokka mascot?"], bearer: driver.bearer).json()
            let cited = (answer["sources"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            #expect(!cited.contains("charlie.txt"), "\(cited)")

            // when the trashed file is restored, the moved one comes back and the unshared one is shared again
            try await scope.update(trashed, ["trashed": false])
            try await scope.update(movedOut, ["parentId": scope.folder])
            try await scope.update(unshared, ["shared": true])
            let restored = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then both are in the knowledge base again
            let again = Set(try await Self.documents(harness, platform).keys.filter { $0.hasSuffix(".txt") })
            #expect(again == ["alpha.txt", "bravo (final).txt", "delta.txt", "echo.txt", "foxtrot.txt", "golf.txt", "hotel.txt"], "\(restored)")
            #expect((restored.totalChanges - source.totalChanges).added == 3, "\(restored.totalChanges - source.totalChanges)")
        }
    }

    @Test("a run with nothing changed at the provider changes nothing and imports nothing")
    func quietRun() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given an imported, synced folder
            let driver = try await ImportTests.connected(client, .dropbox)
            let scope = try await Self.makeScope(client, driver, .dropbox)
            try await scope.create("one.txt", text: "One: the lighthouse keeper logs the weather.")
            let job = try await ImportTests.importAndWait(client, driver, .dropbox, ids: [scope.rootID], category: "Quiet")
            let sourceID = try Self.sourceID(job)
            let jobsBefore = try await client.get("/api/v1/imports", bearer: driver.bearer).json()["imports"] as? [[String: Any]] ?? []
            // when it syncs twice
            try await Self.syncAndSettle(client, driver.bearer, sourceID)
            let source = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then no change was applied and no import was queued
            #expect(source.totalChanges == SyncChangeCounts(), "\(source.totalChanges)")
            let jobsAfter = try await client.get("/api/v1/imports", bearer: driver.bearer).json()["imports"] as? [[String: Any]] ?? []
            #expect(jobsAfter.count == jobsBefore.count)
            #expect(source.documentCount == 1)
        }
    }

    @Test("a source whose connection is refused pauses and says so, keeps its documents, and resumes after reconnecting")
    func pausesWhileDisconnected() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced folder
            let driver = try await ImportTests.connected(client, .googleDrive)
            let scope = try await Self.makeScope(client, driver, .googleDrive)
            try await scope.create("kept.txt", text: "Kept: the archive moves to the basement.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [scope.rootID], category: "Paused"))
            // when the provider revokes the grant and the source syncs
            try await ConnectDriver.control(scope.origin, "/tokens/revoke", ["platform": "google_drive"])
            try await ConnectDriver.control(scope.origin, "/tokens/expire", ["platform": "google_drive"])
            let paused = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then it is paused with the reason, and nothing was removed
            #expect(paused.status == .paused, "\(paused)")
            #expect(paused.lastError?.contains("connect Google Drive again") == true, "\(String(describing: paused.lastError))")
            #expect(try await Self.documents(harness, .googleDrive)["kept.txt"] != nil)
            // when the account is connected again and a file was added meanwhile
            try await scope.create("new.txt", text: "New: the boiler was serviced in March.")
            #expect(try await driver.connect(.googleDrive).status == .ok)
            let resumed = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then the source carries on
            #expect(resumed.status == .idle, "\(resumed)")
            #expect(resumed.lastError == nil)
            #expect(try await Self.documents(harness, .googleDrive)["new.txt"] != nil)
        }
    }

    @Test(
        "when 91 days pass at Microsoft (the sandbox clock), its refresh token has died of inactivity: the source pauses asking for a reconnect and keeps its documents"
    )
    func refreshTokenAgesOut() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced folder
            let driver = try await ImportTests.connected(client, .microsoft)
            let scope = try await Self.makeScope(client, driver, .microsoft)
            try await scope.create("aged.txt", text: "Aged: the lease renews in June.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .microsoft, ids: [scope.rootID], category: "Aged"))
            // when the provider's clock moves past the refresh token's idle lifetime (and so past the access token's)
            try await ConnectDriver.control(scope.origin, "/clock", ["advanceSeconds": 91 * 86_400])
            let paused = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then the source is paused with the reason, and nothing was removed
            #expect(paused.status == .paused, "\(paused)")
            #expect(paused.lastError?.contains("connect Microsoft 365 again") == true, "\(String(describing: paused.lastError))")
            #expect(try await Self.documents(harness, .microsoft)["aged.txt"] != nil)
            // when connected again, the source carries on
            #expect(try await driver.connect(.microsoft).status == .ok)
            let resumed = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            #expect(resumed.status == .idle, "\(resumed)")
        }
    }

    @Test("deleting a source keeps its documents or removes them, as asked; a one-off import makes no source")
    func deleteKeepsOrRemoves() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            let driver = try await ImportTests.connected(client, .microsoft)
            let scope = try await Self.makeScope(client, driver, .microsoft)
            let keep = try await scope.createFolder("Keep")
            let remove = try await scope.createFolder("Remove")
            try await scope.create("kept.txt", in: keep, text: "Kept: the roof was repaired.")
            try await scope.create("removed.txt", in: remove, text: "Removed: the van was sold.")
            let once = try await scope.createFolder("Once")
            try await scope.create("once.txt", in: once, text: "Once: the garden was planted.")
            let folders = try await ImportTests.browse(client, driver, .microsoft, folder: scope.rootID)
            func id(_ name: String) throws -> String { try #require(ImportTests.find(name, in: folders)?["id"] as? String) }
            // given two sources (two categories) and a one-off import
            let kept = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .microsoft, ids: [try id("Keep")], category: "Kept"))
            let removed = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .microsoft, ids: [try id("Remove")], category: "Removed"))
            let onceReply = try await client.json(
                .post, "/api/v1/integrations/microsoft/import", ["fileIds": [try id("Once")], "category": "Once", "sync": false], bearer: driver.bearer)
            #expect(onceReply.status == .accepted)
            #expect(try onceReply.json()["sourceId"] == nil)
            try await Self.settleImports(client, driver.bearer)
            let listed = try await client.get("/api/v1/sources", bearer: driver.bearer).json()["sources"] as? [[String: Any]] ?? []
            #expect(listed.count == 2)
            // when one is deleted keeping its documents and the other removing them
            #expect(try await Self.call(client, .delete, "/api/v1/sources/\(kept)?documents=maybe", bearer: driver.bearer).status == .badRequest)
            #expect(try await Self.call(client, .delete, "/api/v1/sources/\(kept)?documents=keep", bearer: driver.bearer).status == .ok)
            #expect(try await Self.call(client, .delete, "/api/v1/sources/\(removed)?documents=remove", bearer: driver.bearer).status == .ok)
            #expect(try await Self.call(client, .delete, "/api/v1/sources/\(removed)", bearer: driver.bearer).status == .notFound)
            // then the kept and the one-off documents stay, the removed ones are gone
            let titles = Set(try await Self.documents(harness, .microsoft).keys)
            #expect(titles.contains("kept.txt") && titles.contains("once.txt"))
            #expect(!titles.contains("removed.txt"))
        }
    }

    @Test("the Sources API: create (its first run imports), change, refuse bad input, and keep other workspaces out")
    func sourcesAPI() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            let driver = try await ImportTests.connected(client, .dropbox)
            let scope = try await Self.makeScope(client, driver, .dropbox)
            try await scope.create("first.txt", text: "First: the ferry leaves at noon.")
            // when a source is created through the API
            let created = try await client.json(
                .post, "/api/v1/sources", ["platform": "dropbox", "roots": [scope.rootID], "category": "Ferries", "intervalSeconds": 600],
                bearer: driver.bearer)
            #expect(created.status == .created, "\(created.body.prefix(300))")
            let source = try created.decode(SourcesAPI.SourceDTO.self)
            #expect(source.intervalSeconds == 600 && source.enabled && source.category == "Ferries")
            // then its first run imports what is there
            try await eventually("the first run imports the file", timeout: .seconds(120)) {
                try await Self.source(client, driver.bearer, source.id).documentCount == 1
            }
            // and it can be paused and changed
            let patched = try await client.json(.patch, "/api/v1/sources/\(source.id)", ["enabled": false, "intervalSeconds": 900], bearer: driver.bearer)
            #expect(patched.status == .ok)
            let paused = try patched.decode(SourcesAPI.SourceDTO.self)
            #expect(!paused.enabled && paused.status == .paused && paused.intervalSeconds == 900 && paused.nextRunAt == nil)
            // bad input is refused with a reason
            let tooOften = try await client.json(.patch, "/api/v1/sources/\(source.id)", ["intervalSeconds": 1], bearer: driver.bearer)
            #expect(tooOften.status == .badRequest)
            let nothing = try await client.json(.post, "/api/v1/sources", ["platform": "dropbox", "roots": [String]()], bearer: driver.bearer)
            #expect(nothing.status == .badRequest)
            let unknown = try await client.json(.post, "/api/v1/sources", ["platform": "gopher", "roots": ["x"]], bearer: driver.bearer)
            #expect(unknown.status == .notFound || unknown.status == .badRequest)
            let notConnected = try await client.json(.post, "/api/v1/sources", ["platform": "confluence", "roots": ["x"]], bearer: driver.bearer)
            #expect(notConnected.status.code >= 400 && notConnected.status.code < 500)
            // and another workspace sees none of it
            let workspace = try await harness.withStore { store in
                let other = Workspace()
                other.name = "Other"
                try await other.create(on: store.database)
                return try other.requireID()
            }
            _ = try await harness.createUser(email: "other@example.com", role: .owner, workspaceID: workspace)
            let stranger = try await client.anotherBrowser().apiToken(email: "other@example.com", password: "another long password")
            #expect(try await client.get("/api/v1/sources/\(source.id)", bearer: stranger).status == .notFound)
            #expect((try await client.get("/api/v1/sources", bearer: stranger).json()["sources"] as? [Any])?.isEmpty == true)
            #expect(try await Self.call(client, .post, "/api/v1/sources/\(source.id)/sync", bearer: stranger).status == .notFound)
            #expect(try await Self.call(client, .delete, "/api/v1/sources/\(source.id)", bearer: stranger).status == .notFound)
        }
    }

    /// The sandbox route that lists a folder, per platform with a change feed.
    static let listingRoute: [Platform: String] = [.googleDrive: "files.list", .microsoft: "items.children", .dropbox: "files/list_folder"]

    @Test(
        "with a change feed, a run whose feed has nothing for the source lists nothing; a change inside it is applied",
        arguments: [
            Platform.googleDrive, .microsoft, .dropbox,
        ])
    func feedKeepsQuietRunsCheap(platform: Platform) async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced folder whose first run compared it in full and took the feed's bookmark
            let driver = try await ImportTests.connected(client, platform)
            let scope = try await Self.makeScope(client, driver, platform)
            try await scope.create("one.txt", text: "One: the tide tables are printed weekly.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, platform, ids: [scope.rootID], category: "Feed"))
            let first = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            #expect(first.changeFeed && first.lastReconciledAt != nil, "\(first)")
            // when something changes elsewhere in the account and the source syncs
            try await scope.create("elsewhere.txt", in: scope.outside, text: "Elsewhere: not part of the source.")
            let route = try #require(Self.listingRoute[platform])
            let listedBefore = try await ConnectDriver.stats(scope.origin, platform)[route] ?? 0
            let quiet = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then the run read the feed and listed no folder
            #expect(try await ConnectDriver.stats(scope.origin, platform)[route] ?? 0 == listedBefore)
            #expect(quiet.totalChanges == first.totalChanges)
            // and when a file is added inside the source, the next run applies it
            try await scope.create("two.txt", text: "Two: the harbour dredging resumes in May.")
            let changed = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            #expect((changed.totalChanges - quiet.totalChanges).added == 1, "\(changed)")
            #expect(try await Self.documents(harness, platform)["two.txt"] != nil)
        }
    }

    @Test(
        "a feed that no longer knows its bookmark (Graph 410, Dropbox reset, Drive invalid token) leads to a full comparison, nothing lost",
        arguments: [
            Platform.googleDrive, .microsoft, .dropbox,
        ])
    func feedResetComparesInFull(platform: Platform) async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced folder with a bookmark
            let driver = try await ImportTests.connected(client, platform)
            let scope = try await Self.makeScope(client, driver, platform)
            let gone = try await scope.create("gone.txt", text: "Gone: the old ferry timetable.")
            try await scope.create("stays.txt", text: "Stays: the new ferry timetable.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, platform, ids: [scope.rootID], category: "Reset"))
            let first = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            #expect(first.changeFeed)
            // when a file is deleted and the provider forgets the bookmark
            try await scope.delete(gone)
            try await ConnectDriver.control(scope.origin, "/feeds/reset", ["platform": platform.rawValue])
            let after = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then the run compared in full: the deletion is applied and a fresh bookmark kept
            #expect(after.lastError == nil, "\(String(describing: after.lastError))")
            #expect((after.totalChanges - first.totalChanges).removed == 1, "\(after)")
            #expect(after.changeFeed)
            #expect((after.lastReconciledAt ?? .distantPast) > (first.lastReconciledAt ?? .distantFuture) || after.lastReconciledAt == first.lastReconciledAt)
            let titles = Set(try await Self.documents(harness, platform).keys)
            #expect(titles.contains("stays.txt") && !titles.contains("gone.txt"))
        }
    }

    @Test("Dropbox: a change in a synced folder reaches the knowledge base by longpoll, with no one asking for a run")
    func dropboxLongpoll() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced Dropbox folder with a bookmark (the interval is an hour: only longpoll can bring a run sooner)
            let driver = try await ImportTests.connected(client, .dropbox)
            let scope = try await Self.makeScope(client, driver, .dropbox)
            try await scope.create("first.txt", text: "First: the lock gates open at six.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .dropbox, ids: [scope.rootID], category: "Longpoll"))
            #expect(try await Self.syncAndSettle(client, driver.bearer, sourceID).changeFeed)
            // when a file is added at the provider
            try await scope.create("pushed.txt", text: "Pushed: the canal reopens after the repairs.")
            // then it is imported without anyone asking
            try await eventually("the longpoll brings the new file in", timeout: .seconds(60), every: .milliseconds(200)) {
                let documents = try await client.get("/api/v1/documents?category=Longpoll", bearer: driver.bearer).json()["documents"] as? [[String: Any]]
                return documents?.contains { $0["title"] as? String == "pushed.txt" } == true
            }
        }
    }

    @Test("Dropbox's webhook: the challenge is echoed, a signed notification brings the change in, a forged one is refused")
    func dropboxWebhook() async throws {
        // given a synced Dropbox folder on a server that does not long-poll, and the webhook registered at the provider
        let harness = try await TestHarness.make(Self.settings.merging([AppConfig.Key.syncLongpoll: "false"]) { $1 })
        try await harness.withServer { client in
            let driver = try await ImportTests.connected(client, .dropbox)
            let scope = try await Self.makeScope(client, driver, .dropbox)
            try await scope.create("before.txt", text: "Before: the mill wheel turns slowly.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .dropbox, ids: [scope.rootID], category: "Webhook"))
            #expect(try await Self.syncAndSettle(client, driver.bearer, sourceID).changeFeed)
            let url = "http://127.0.0.1:\(client.port)/api/v1/webhooks/dropbox"
            let registered = try await ConnectDriver.control(scope.origin, "/webhooks", ["platform": "dropbox", "url": url])
            #expect(registered["registered"] as? String == url, "\(registered)")

            // when a file is added at the provider
            try await scope.create("notified.txt", text: "Notified: the mill pond is drained in autumn.")
            // then the signed notification brings it in, with no one asking for a run
            try await eventually("the webhook brings the new file in", timeout: .seconds(60), every: .milliseconds(200)) {
                let documents = try await client.get("/api/v1/documents?category=Webhook", bearer: driver.bearer).json()["documents"] as? [[String: Any]]
                return documents?.contains { $0["title"] as? String == "notified.txt" } == true
            }
            let deliveries = try await Self.deliveries(scope.origin)
            #expect(deliveries.contains { $0["status"] as? Int == 200 }, "\(deliveries)")

            // and a notification without the app secret's signature is refused before it is read
            let body = #"{"list_folder":{"accounts":["dbid:forged"]},"delta":{"users":[1]}}"#
            let forged = try await client.send(
                .post, "/api/v1/webhooks/dropbox",
                headers: [.contentType: "application/json", .init("X-Dropbox-Signature")!: String(repeating: "0", count: 64)],
                body: body, withCookies: false)
            #expect(forged.status == .forbidden)
            let unsigned = try await client.send(.post, "/api/v1/webhooks/dropbox", headers: [.contentType: "application/json"], body: body, withCookies: false)
            #expect(unsigned.status == .forbidden)
            let challenge = try await client.send(.get, "/api/v1/webhooks/dropbox?challenge=abc123", withCookies: false)
            #expect(challenge.status == .ok && challenge.body == "abc123" && challenge.headers[.contentType]?.hasPrefix("text/plain") == true)
            let metrics = try await client.get("/metrics").body
            #expect(
                metrics.contains(#"cirrus_push_messages_total{platform="dropbox",outcome="refused"} 2"#),
                "\(metrics.split(separator: "\n").filter { $0.contains("push") })")
        }
    }

    static func deliveries(_ origin: String) async throws -> [[String: Any]] {
        try await sandboxList(origin, "/_sandbox/deliveries")
    }

    static func sandboxList(_ origin: String, _ path: String) async throws -> [[String: Any]] {
        let response = try await ConnectDriver.http.execute(HTTPClientRequest(url: origin + path), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [[String: Any]]) ?? []
    }

    @Test("push is offered only where a provider can post: a public https API_BASE_URL, or loopback for the providers' stand-ins")
    func pushAddresses() throws {
        // given / when / then
        #expect(
            try PushAddress.make(baseURL: "https://kb.example.com", allowLoopback: false).get().googleDrive
                == "https://kb.example.com/api/v1/webhooks/google-drive")
        #expect(PushAddress.make(baseURL: "http://kb.example.com", allowLoopback: false) == .failure(.notHTTPS))
        #expect(PushAddress.make(baseURL: "https://10.1.2.3", allowLoopback: true) == .failure(.notPublic))
        #expect(PushAddress.make(baseURL: "https://192.168.0.9:8443", allowLoopback: false) == .failure(.notPublic))
        #expect(PushAddress.make(baseURL: "http://127.0.0.1:8080", allowLoopback: false) == .failure(.notPublic))
        #expect((try? PushAddress.make(baseURL: "http://127.0.0.1:8080", allowLoopback: true).get()) != nil)
        #expect(PushAddress.make(baseURL: "not a url", allowLoopback: true) == .failure(.noPublicURL))
    }

    @Test(
        "Google Drive: the server opens a changes.watch channel, a change reaches the knowledge base by push, a forged message is refused, and stopping the source stops the channel"
    )
    func driveChannels() async throws {
        // given a synced Drive folder on a server Drive can reach, polling only hourly
        let harness = try await TestHarness.makeWithPublicURL(Self.settings.merging([AppConfig.Key.syncPush: "true"]) { $1 })
        try await harness.withServerAtPublicURL { client in
            let driver = try await ImportTests.connected(client, .googleDrive)
            let scope = try await Self.makeScope(client, driver, .googleDrive)
            try await scope.create("first.txt", text: "First: the ferry leaves at noon.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [scope.rootID], category: "Push"))
            #expect(try await Self.syncAndSettle(client, driver.bearer, sourceID).changeFeed)
            let address = harness.config.apiBaseURL + "/api/v1/webhooks/google-drive"
            let channel = try await eventually("a channel is opened on the source's feed", timeout: .seconds(60), every: .milliseconds(200)) {
                try await Self.sandboxList(scope.origin, "/_sandbox/channels").first { $0["address"] as? String == address }
            }
            try await eventually("the channel's sync message is accepted", timeout: .seconds(30), every: .milliseconds(200)) {
                try await Self.deliveries(scope.origin).contains { $0["platform"] as? String == Platform.googleDrive.rawValue && $0["status"] as? Int == 200 }
            }

            // when a file is added at the provider
            try await scope.create("pushed.txt", text: "Pushed: the ferry now also leaves at six.")
            // then Drive's notification brings it in, with no one asking for a run
            try await eventually("the push brings the new file in", timeout: .seconds(60), every: .milliseconds(200)) {
                let documents = try await client.get("/api/v1/documents?category=Push", bearer: driver.bearer).json()["documents"] as? [[String: Any]]
                return documents?.contains { $0["title"] as? String == "pushed.txt" } == true
            }

            // and a message with the channel's id but not its token, or naming no channel of ours, is refused
            let id = try #require(channel["id"] as? String)
            for (channelID, token) in [(id, "forged-token"), (UUID().uuidString, "forged-token"), (id, "")] {
                let forged = try await client.send(
                    .post, "/api/v1/webhooks/google-drive",
                    headers: [
                        .init("X-Goog-Channel-ID")!: channelID, .init("X-Goog-Channel-Token")!: token, .init("X-Goog-Resource-State")!: "change",
                        .init("X-Goog-Resource-ID")!: channel["resourceId"] as? String ?? "",
                    ], body: #"{"kind":"drive#changes"}"#, withCookies: false)
                #expect(forged.status == .forbidden, "\(channelID) \(token)")
            }
            let metrics = try await client.get("/metrics").body
            #expect(metrics.contains(#"cirrus_push_messages_total{platform="google_drive",outcome="refused"} 3"#))
            #expect(metrics.contains(#"cirrus_push_messages_total{platform="google_drive",outcome="verified"}"#))
            let page = try await client.get("/admin/sources", bearer: driver.bearer).body
            #expect(page.contains("Google Drive notifies this server of changes (push)"))

            // when the source is stopped (its documents kept)
            let deleted = try await Self.call(client, .delete, "/api/v1/sources/\(sourceID)?documents=keep", bearer: driver.bearer)
            #expect(deleted.status == .noContent || deleted.status == .ok, "\(deleted.body.prefix(300))")
            // then its channel is stopped at the provider
            try await eventually("the channel is stopped", timeout: .seconds(60), every: .milliseconds(200)) {
                try await !Self.sandboxList(scope.origin, "/_sandbox/channels").contains { $0["id"] as? String == id }
            }
        }
    }

    @Test("Google Drive: a message that comes before the change reaches the feed is followed by a second run that brings it in")
    func pushFollowUp() async throws {
        // given a synced Drive folder with a push channel, polling only hourly, and a second run 3 s after each message
        let settings = Self.settings.merging([AppConfig.Key.syncPush: "true", AppConfig.Key.syncPushFollowUp: "3"]) { $1 }
        let harness = try await TestHarness.makeWithPublicURL(settings)
        try await harness.withServerAtPublicURL { client in
            let driver = try await ImportTests.connected(client, .googleDrive)
            let scope = try await Self.makeScope(client, driver, .googleDrive)
            try await scope.create("first.txt", text: "First: the ferry leaves at noon.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [scope.rootID], category: "Lag"))
            let baseline = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            let address = harness.config.apiBaseURL + "/api/v1/webhooks/google-drive"
            try await eventually("a channel is opened on the source's feed", timeout: .seconds(60), every: .milliseconds(200)) {
                try await Self.sandboxList(scope.origin, "/_sandbox/channels").contains { $0["address"] as? String == address }
            }

            // when Drive's change log trails its notifications by 2 s and a file is added
            try await ConnectDriver.control(scope.origin, "/feeds/delay", ["seconds": 2])
            try await scope.create("late.txt", text: "Late: the ferry timetable changed.")

            // then the run the message starts finds nothing yet, and the follow-up brings the file in
            try await eventually("the follow-up run brings the file in", timeout: .seconds(60), every: .milliseconds(200)) {
                let documents = try await client.get("/api/v1/documents?category=Lag", bearer: driver.bearer).json()["documents"] as? [[String: Any]]
                return documents?.contains { $0["title"] as? String == "late.txt" } == true
            }
            let source = try await Self.source(client, driver.bearer, sourceID)
            #expect(source.totalChanges.added - baseline.totalChanges.added == 1)
        }
    }

    @Test(
        "Microsoft 365: with Graph notifications on, the server subscribes to the drive after Graph's validation request, a change arrives by push, forged notifications are refused, lifecycle events renew or replace the subscription, and stopping the source deletes it"
    )
    func graphSubscriptions() async throws {
        // given a synced OneDrive folder on a server Graph can reach, polling only hourly, with Graph notifications on
        let settings = Self.settings.merging([AppConfig.Key.syncPush: "true", AppConfig.Key.syncPushMicrosoft: "true"]) { $1 }
        let harness = try await TestHarness.makeWithPublicURL(settings)
        try await harness.withServerAtPublicURL { client in
            let driver = try await ImportTests.connected(client, .microsoft)
            let scope = try await Self.makeScope(client, driver, .microsoft)
            try await scope.create("first.txt", text: "First: the ferry leaves at noon.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .microsoft, ids: [scope.rootID], category: "Graph push"))
            #expect(try await Self.syncAndSettle(client, driver.bearer, sourceID).changeFeed)
            let address = harness.config.apiBaseURL + "/api/v1/webhooks/microsoft"
            let subscription = try await eventually("a subscription is made on the drive", timeout: .seconds(60), every: .milliseconds(200)) {
                try await Self.sandboxList(scope.origin, "/_sandbox/subscriptions").first { $0["notificationUrl"] as? String == address }
            }
            #expect(subscription["lifecycleNotificationUrl"] as? String == address)
            // (the connection asked for the write scope Graph requires of subscriptions on files)
            let granted = try await harness.withStore { try await UserIntegration.query(on: $0.database).filter(\.$platform == .microsoft).first()?.scopes }
            #expect(granted?.contains("Files.ReadWrite.All") == true, "\(granted ?? [])")
            #expect((subscription["resource"] as? String)?.hasSuffix("/root") == true)
            // Graph made it only after the receiver echoed its validation token.
            #expect(
                try await Self.deliveries(scope.origin).contains { $0["platform"] as? String == Platform.microsoft.rawValue && $0["status"] as? Int == 200 })

            // when a file is added at the provider
            try await scope.create("pushed.txt", text: "Pushed: the ferry now also leaves at six.")
            // then Graph's notification brings it in, with no one asking for a run
            try await eventually("the push brings the new file in", timeout: .seconds(60), every: .milliseconds(200)) {
                let documents = try await client.get("/api/v1/documents?category=Graph%20push", bearer: driver.bearer).json()["documents"] as? [[String: Any]]
                return documents?.contains { $0["title"] as? String == "pushed.txt" } == true
            }

            // and a validation token is echoed decoded, as plain text
            let validation = try await client.send(.post, "/api/v1/webhooks/microsoft?validationToken=Validation%3A%20a%20b%2Bc", withCookies: false)
            #expect(validation.status == .ok)
            #expect(validation.body == "Validation: a b+c")
            #expect(validation.headers[.contentType]?.hasPrefix("text/plain") == true)
            // and notifications with the wrong clientState, none, or no subscription of ours are refused
            let id = try #require(subscription["id"] as? String)
            for (subscriptionID, clientState) in [(id, "forged"), (UUID().uuidString, "forged"), (id, nil)] {
                var notification: [String: Any] = ["subscriptionId": subscriptionID, "changeType": "updated", "resource": "drives/x/root"]
                if let clientState { notification["clientState"] = clientState }
                let body = try JSONSerialization.data(withJSONObject: ["value": [notification]])
                let forged = try await client.send(
                    .post, "/api/v1/webhooks/microsoft", headers: [.contentType: "application/json"], body: String(decoding: body, as: UTF8.self),
                    withCookies: false)
                #expect(forged.status == .forbidden, "\(subscriptionID) \(clientState ?? "none")")
            }
            let metrics = try await client.get("/metrics").body
            #expect(metrics.contains(#"cirrus_push_messages_total{platform="microsoft",outcome="refused"} 3"#))
            #expect(metrics.contains(#"cirrus_push_messages_total{platform="microsoft",outcome="verified"}"#))
            #expect(try await client.get("/admin/sources", bearer: driver.bearer).body.contains("Google Drive and Microsoft 365 notify this server"))

            // when Graph asks for reauthorization
            try await ConnectDriver.control(scope.origin, "/subscriptions/lifecycle", ["event": "reauthorizationRequired"])
            // then the subscription is renewed in place
            try await eventually("the subscription is renewed", timeout: .seconds(60), every: .milliseconds(200)) {
                try await client.get("/metrics").body.contains(#"cirrus_push_messages_total{platform="microsoft",outcome="channel_renewed"}"#)
            }
            #expect(try await Self.sandboxList(scope.origin, "/_sandbox/subscriptions").map { $0["id"] as? String } == [id])

            // when Graph removes the subscription
            try await ConnectDriver.control(scope.origin, "/subscriptions/lifecycle", ["event": "subscriptionRemoved"])
            // then another one is made
            let replacement = try await eventually("a new subscription replaces it", timeout: .seconds(60), every: .milliseconds(200)) {
                try await Self.sandboxList(scope.origin, "/_sandbox/subscriptions").first { $0["id"] as? String != id }?["id"] as? String
            }

            // when the source is stopped (its documents kept)
            let deleted = try await Self.call(client, .delete, "/api/v1/sources/\(sourceID)?documents=keep", bearer: driver.bearer)
            #expect(deleted.status == .noContent || deleted.status == .ok, "\(deleted.body.prefix(300))")
            // then its subscription is deleted at Graph
            try await eventually("the subscription is deleted", timeout: .seconds(60), every: .milliseconds(200)) {
                try await !Self.sandboxList(scope.origin, "/_sandbox/subscriptions").contains { $0["id"] as? String == replacement }
            }
        }
    }

    @Test("Confluence: a page edited at the provider is imported again, and a trashed page leaves with what was under it")
    func confluencePages() async throws {
        let harness = try await TestHarness.make(Self.settings)
        try await harness.withServer { client in
            // given a synced page with a child page that holds an attachment
            let driver = try await ImportTests.connected(client, .confluence)
            let scope = try await Self.makeScope(client, driver, .confluence)
            let child = try await scope.createFolder("Runbook")
            try await scope.create("steps.txt", in: child, text: "Steps: the generator is tested monthly.")
            let sourceID = try Self.sourceID(try await ImportTests.importAndWait(client, driver, .confluence, ids: [scope.rootID], category: "Pages"))
            #expect(try await Self.documents(harness, .confluence)["Runbook"] != nil)
            let baseline = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // when the child page is edited
            try await ConnectDriver.control(
                scope.origin, "/files/\(child)", ["content": Data("<p>The runbook now covers the flood barrier.</p>".utf8).base64EncodedString()],
                method: .PATCH)
            let edited = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            // then its document holds the new text
            #expect((edited.totalChanges - baseline.totalChanges).updated == 1, "\(edited)")
            #expect(try await Self.documents(harness, .confluence)["Runbook"]?.text.contains("flood barrier") == true)
            // and when it is trashed, it and its attachment leave the knowledge base
            try await scope.update(child, ["trashed": true])
            let trashed = try await Self.syncAndSettle(client, driver.bearer, sourceID)
            let titles = Set(try await Self.documents(harness, .confluence).keys)
            #expect(!titles.contains("Runbook") && !titles.contains("steps.txt"), "\(titles) \(trashed)")
        }
    }
}

extension SyncChangeCounts {
    /// What was applied between two readings of a source's totals.
    static func - (lhs: Self, rhs: Self) -> Self {
        .init(
            added: lhs.added - rhs.added, updated: lhs.updated - rhs.updated, renamed: lhs.renamed - rhs.renamed, moved: lhs.moved - rhs.moved,
            removed: lhs.removed - rhs.removed)
    }
}

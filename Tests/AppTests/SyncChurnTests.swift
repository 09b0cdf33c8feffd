import AsyncHTTPClient
import CirrusCore
import FluentKit
import Foundation
import NIOCore
import NIOHTTP1
import SQLKit
import TestSupport
import Testing

@testable import App

#if canImport(Glibc)
    import Glibc
#endif

/// Heavy churn at all four providers, with failing provider calls and a killed server, ends
/// with a knowledge base equal to what the sources hold.
@Suite("Sync under churn")
struct SyncChurnTests {
    /// What the test did at one provider: every item it made, as it is now.
    struct World {
        struct Node {
            var name: String
            var parent: String
            var text: String?
            var trashed = false
            var isFolder: Bool { text == nil }
        }

        let platform: Platform
        /// The synced folder, and one beside it that is out of scope (sandbox ids).
        let root: String
        let outside: String
        var nodes: [String: Node] = [:]
        var counter = 0
        var operations = 0

        /// The files a fresh import of the synced folder would hold: under it, nothing trashed
        /// on the way up.
        var expected: [String: String] {
            var files: [String: String] = [:]
            for node in nodes.values {
                guard let text = node.text, !node.trashed else { continue }
                var parent = node.parent
                var inScope = false
                var hops = 0
                while hops < 64 {
                    if parent == root {
                        inScope = true
                        break
                    }
                    guard let folder = nodes[parent], !folder.trashed else { break }
                    parent = folder.parent
                    hops += 1
                }
                if inScope { files[node.name] = text }
            }
            return files
        }

        var folders: [String] { [root, outside] + nodes.filter { $0.value.isFolder && !$0.value.trashed }.map(\.key).sorted() }
        var files: [String] { nodes.filter { !$0.value.isFolder }.map(\.key).sorted() }

        mutating func uniqueName(_ stem: String) -> String {
            counter += 1
            return "\(stem)-\(counter).txt"
        }
    }

    static func text(_ platform: Platform, _ n: Int) -> String {
        "Churn note \(n) for \(platform.rawValue): the marker is zq\(n)x\(Int.random(in: 1000...9999))."
    }

    /// One random operation at one provider, through the sandbox's control API.
    static func operate(_ world: inout World, origin: String, random: inout SeededRandom) async throws {
        world.operations += 1
        let files = world.files
        let folders = world.folders
        let choice = files.isEmpty ? 0 : random.next(10)
        switch choice {
        case 0, 1, 2:  // create a file in a random folder
            let parent = folders[random.next(folders.count)]
            let name = world.uniqueName("file")
            let text = text(world.platform, world.counter)
            let id = try await SyncTests.create(origin, world.platform, name: name, parent: parent, folder: false, text: text)
            world.nodes[id] = .init(name: name, parent: parent, text: text)
        case 3:  // edit
            let id = files[random.next(files.count)]
            let text = text(world.platform, world.counter + 1000)
            try await patch(origin, id, ["content": Data(text.utf8).base64EncodedString()])
            world.nodes[id]?.text = text
        case 4:  // rename
            let id = files[random.next(files.count)]
            let name = world.uniqueName("renamed")
            try await patch(origin, id, ["name": name])
            world.nodes[id]?.name = name
        case 5, 6:  // move, in or out of the synced folder
            let id = files[random.next(files.count)]
            let parent = folders[random.next(folders.count)]
            try await patch(origin, id, ["parentId": parent])
            world.nodes[id]?.parent = parent
        case 7:  // delete
            let id = files[random.next(files.count)]
            try await ConnectDriver.control(origin, "/files/\(id)", [:], method: .DELETE)
            world.nodes[id] = nil
        case 8:  // trash
            let id = files[random.next(files.count)]
            try await patch(origin, id, ["trashed": true])
            world.nodes[id]?.trashed = true
        default:  // restore whatever is trashed, else make a folder
            if let id = world.nodes.first(where: { $0.value.trashed })?.key {
                try await patch(origin, id, ["trashed": false])
                world.nodes[id]?.trashed = false
            } else {
                let parent = folders[random.next(min(folders.count, 2))]
                let name = "folder-\(world.counter + 1)"
                world.counter += 1
                let id = try await SyncTests.create(origin, world.platform, name: name, parent: parent, folder: true, text: nil)
                world.nodes[id] = .init(name: name, parent: parent, text: nil)
            }
        }
    }

    static func patch(_ origin: String, _ id: String, _ body: [String: Any]) async throws {
        let reply = try await ConnectDriver.control(origin, "/files/\(id)", body, method: .PATCH)
        #expect(reply["id"] as? String == id, "\(reply)")
    }

    /// A small deterministic generator, so a failing run can be repeated with its seed.
    struct SeededRandom {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(1, bound)))
        }
    }

    /// Calls the server's API.
    struct Remote {
        var origin: String
        let bearer: String

        func json(_ path: String, method: HTTPMethod = .GET, body: [String: Any]? = nil) async throws -> (Int, [String: Any]) {
            let reply = try await MultiProcessTests.call(origin + path, method: method, bearer: bearer, json: body)
            return (reply.0, (try? JSONSerialization.jsonObject(with: Data(reply.2)) as? [String: Any]) ?? [:])
        }

        func source(_ id: UUID) async throws -> SourcesAPI.SourceDTO {
            let reply = try await MultiProcessTests.call(origin + "/api/v1/sources/\(id)", bearer: bearer)
            return try JSONCoding.decoder().decode(SourcesAPI.SourceDTO.self, from: Data(reply.2))
        }

        /// Browses down a path of names from the top.
        func find(_ platform: Platform, _ names: [String]) async throws -> String {
            var folder = "root"
            for name in names {
                let escaped = folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? folder
                let listing = try await json("/api/v1/integrations/\(platform.rawValue)/files?folder_id=\(escaped)")
                let files = listing.1["files"] as? [[String: Any]] ?? []
                let found = files.first { $0["name"] as? String == name }?["id"] as? String
                folder = try #require(found, "\(name) not in \(files.compactMap { $0["name"] as? String })")
            }
            return folder
        }
    }

    /// Waits for the run asked for to end: the request brings the next run to now, the run's end
    /// moves it an interval away.
    static func runEnded(_ remote: Remote, _ id: UUID) async throws -> SourcesAPI.SourceDTO {
        try await eventually("the sync run ends", timeout: .seconds(180), every: .milliseconds(100)) {
            let source = try await remote.source(id)
            return source.status != .running && (source.nextRunAt ?? .distantPast) > Date().addingTimeInterval(1800) ? source : nil
        }
    }

    @Test("200 random operations over the four providers, 10 % of provider calls failing and a kill -9, end with the knowledge base equal to the sources")
    func churn() async throws {
        // given a sandbox process and a server process, all four providers connected, and a synced folder at each
        let servers = try await ReliabilityTests.Servers([AppConfig.Key.syncInterval: "3600"])
        var bearer = ""
        for platform in Platform.allCases { bearer = try await MultiProcessTests.connect(platform, origin: servers.origin) }
        var remote = Remote(origin: servers.origin, bearer: bearer)
        let origin = servers.sandboxOrigin
        var worlds: [Platform: World] = [:]
        var sources: [Platform: UUID] = [:]
        for platform in Platform.allCases {
            var path: [String] = []
            var parent: String?
            switch platform {
            case .googleDrive, .dropbox: break
            case .microsoft: path = ["OneDrive"]
            case .confluence:
                path = ["Engineering Handbook", "Engineering Handbook"]
                parent = String(try await remote.find(.confluence, path).dropFirst("page:".count))
            }
            let name = "Churn \(platform.rawValue)"
            let root = try await SyncTests.create(origin, platform, name: name, parent: parent, folder: true, text: nil)
            let outside = try await SyncTests.create(origin, platform, name: name + " (outside)", parent: parent, folder: true, text: nil)
            var world = World(platform: platform, root: root, outside: outside)
            var random = SeededRandom(state: 7)
            for _ in 0..<8 { try await Self.operate(&world, origin: origin, random: &random) }
            let started = try await remote.json(
                "/api/v1/integrations/\(platform.rawValue)/import", method: .POST,
                body: ["fileIds": [try await remote.find(platform, path + [name])], "category": "Churn"])
            #expect(started.0 == 202, "\(started.1)")
            sources[platform] = try #require((started.1["sourceId"] as? String).flatMap(UUID.init(uuidString:)))
            worlds[platform] = world
        }
        for platform in Platform.allCases {
            try await ConnectDriver.control(origin, "/faults", ["platform": platform.rawValue, "status": 500, "rate": 0.04])
            try await ConnectDriver.control(origin, "/faults", ["platform": platform.rawValue, "status": 429, "rate": 0.03, "retryAfter": 1])
            try await ConnectDriver.control(origin, "/faults", ["platform": platform.rawValue, "status": "reset", "rate": 0.03])
        }

        // when 200 random operations are made, syncing every 10, with the server killed half-way
        var random = SeededRandom(state: 20_261_201)
        for step in 1...200 {
            let platform = Platform.allCases[random.next(Platform.allCases.count)]
            try await Self.operate(&worlds[platform]!, origin: origin, random: &random)
            if step % 10 == 0 {
                // Each run sees the provider part-way through the churn, with its imports still going.
                for id in sources.values { _ = try await remote.json("/api/v1/sources/\(id)/sync", method: .POST) }
                for id in sources.values { _ = try await Self.runEnded(remote, id) }
            }
            if step == 100 {
                try await eventually("a sync run is under way or done") {
                    for id in sources.values where try await remote.source(id).lastRunAt != nil { return true }
                    return false
                }
                servers.stop(SIGKILL)
                try await servers.start()
                remote.origin = servers.origin
            }
        }

        // and the providers recover, and every source syncs until a run finds nothing to change
        _ = try await MultiProcessTests.call(origin + "/_sandbox/faults", method: .DELETE)
        for (platform, id) in sources {
            var quiet = 0
            var rounds = 0
            while quiet < 1 && rounds < 8 {
                rounds += 1
                _ = try await remote.json("/api/v1/sources/\(id)/sync", method: .POST)
                let source = try await Self.runEnded(remote, id)
                try await eventually("the imports finish", timeout: .seconds(300), every: .milliseconds(200)) {
                    try await servers.harness.withStore { store in
                        try await ImportItem.query(on: store.database).filter(\.$state ~~ [.waiting, .downloading, .extracting, .indexing]).count() == 0
                    }
                }
                let before = source.totalChanges
                _ = try await remote.json("/api/v1/sources/\(id)/sync", method: .POST)
                let again = try await Self.runEnded(remote, id)
                if again.lastError == nil && again.totalChanges == before { quiet += 1 }
            }
            #expect(quiet == 1, "\(platform.rawValue) did not settle in \(rounds) rounds")
        }

        var faults: [Int] = []
        for platform in Platform.allCases {
            faults.append(try await ConnectDriver.stats(origin, platform).filter { $0.key.contains("fault") }.values.reduce(0, +))
        }
        #expect(faults.reduce(0, +) > 10, "the sandbox injected \(faults) faults")
        for world in worlds.values {
            #expect(
                world.operations > 25 && world.expected.count > 3, "\(world.platform.rawValue): \(world.operations) operations, \(world.expected.count) files")
        }

        // then at every provider the documents are exactly the files in the synced folder, with their current text
        try await servers.harness.withStore { store in
            for platform in Platform.allCases {
                let expected = worlds[platform]!.expected
                let documents = try await KnowledgeDocument.query(on: store.database).filter(\.$sourcePlatform == platform)
                    .filter(\.$category == "Churn").all().filter { $0.title.hasSuffix(".txt") }
                let titles = documents.map(\.title)
                #expect(Set(titles).count == titles.count, "\(platform.rawValue): duplicated \(titles.sorted())")
                let missing = Set(expected.keys).subtracting(titles)
                let extra = Set(titles).subtracting(expected.keys)
                #expect(missing.isEmpty, "\(platform.rawValue): missing \(missing.sorted())")
                #expect(extra.isEmpty, "\(platform.rawValue): should be gone \(extra.sorted())")
                var stale: [String] = []
                for document in documents {
                    let chunks = try await KnowledgeChunk.query(on: store.database).filter(\.$document.$id == document.requireID()).all()
                    #expect(chunks.count == document.chunkCount)
                    if let text = expected[document.title], !chunks.contains(where: { $0.text.contains(text) }) { stale.append(document.title) }
                }
                #expect(stale.isEmpty, "\(platform.rawValue): stale \(stale.sorted())")
            }
            // and no passage is left behind by a removed document
            let orphans = try await (store.database as! any SQLDatabase).raw(
                "SELECT COUNT(*) AS n FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)"
            ).first()?.decode(column: "n", as: Int.self)
            #expect(orphans == 0)
        }
        servers.stop(SIGTERM)
    }
}

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
    /// Makes one operation at the provider through the sandbox's control API and records it.
    static func perform(_ world: inout ChurnWorld, _ platform: Platform, origin: String, random: inout ChurnRandom) async throws {
        try await world.step(&random, platform: platform.rawValue) { method, path, body in
            try await ConnectDriver.control(origin, String(path.dropFirst("/_sandbox".count)), body, method: HTTPMethod(rawValue: method))
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

    /// The running jobs and where each of their unfinished items stands, to say what a stall waits on.
    static func unfinished(_ harness: TestHarness) async throws -> String {
        try await harness.withStore { store in
            var lines: [String] = []
            for job in try await ImportJob.query(on: store.database).filter(\.$status == .running).all() {
                let items = try await ImportItem.query(on: store.database).filter(\.$job.$id == job.requireID())
                    .filter(\.$state ~~ ImportQueue.unfinished).all()
                let described = items.prefix(5).map {
                    "\($0.name) \($0.state.rawValue) attempts \($0.attempts) claimed \($0.claimedAt.map { "\($0)" } ?? "-") next \($0.nextAttemptAt.map { "\($0)" } ?? "-") \($0.reason ?? "")"
                }
                lines.append("\(job.platform.rawValue) job created \(job.createdAt.map { "\($0)" } ?? "-"): \(items.count) unfinished \(described)")
            }
            return lines.joined(separator: "; ")
        }
    }

    @Test("200 random operations over the four providers, 10 % of provider calls failing and a kill -9, end with the knowledge base equal to the sources")
    func churn() async throws {
        // given a sandbox process and a server process, all four providers connected, and a synced folder at each
        // (Drive's push follow-up runs are off: each step waits for the runs it asks for to end,
        // and a follow-up keeps one pending; `pushFollowUp` tests them.)
        // Sync-now is asked for 4 sources every 10 steps, faster than a person may (RateLimitTests): its limit is lifted.
        let servers = try await ReliabilityTests.Servers([
            AppConfig.Key.syncInterval: "3600", AppConfig.Key.syncPushFollowUp: "0", AppConfig.Key.rateLimits: "sync=0/0",
        ])
        var bearer = ""
        for platform in Platform.allCases { bearer = try await MultiProcessTests.connect(platform, origin: servers.origin) }
        var remote = Remote(origin: servers.origin, bearer: bearer)
        let origin = servers.sandboxOrigin
        var worlds: [Platform: ChurnWorld] = [:]
        var sources: [Platform: UUID] = [:]
        for platform in Platform.allCases {
            let path = SyncTests.browsePath(platform)
            let parent = platform == .confluence ? String(try await remote.find(.confluence, path).dropFirst("page:".count)) : nil
            let name = "Churn \(platform.rawValue)"
            let root = try await SyncTests.create(origin, platform, name: name, parent: parent, folder: true, text: nil)
            let outside = try await SyncTests.create(origin, platform, name: name + " (outside)", parent: parent, folder: true, text: nil)
            var world = ChurnWorld(label: platform.rawValue, root: root, outside: outside)
            var random = ChurnRandom(seed: 7)
            for _ in 0..<8 { try await Self.perform(&world, platform, origin: origin, random: &random) }
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
        var random = ChurnRandom(seed: 20_261_204)
        for step in 1...200 {
            let platform = Platform.allCases[random.next(Platform.allCases.count)]
            try await Self.perform(&worlds[platform]!, platform, origin: origin, random: &random)
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
                do {
                    try await eventually("the imports finish", timeout: .seconds(300), every: .milliseconds(200)) {
                        (try await remote.json("/api/v1/imports?status=running").1["imports"] as? [Any])?.isEmpty == true
                    }
                } catch {
                    throw TestFailure("\(error); still running: \(try await Self.unfinished(servers.harness))")
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
                world.operations > 25 && world.expected.count >= 3,
                "\(world.label): \(world.operations) operations, \(world.expected.count) files (\(world.nodes.values.filter(\.unshared).count) unshared, \(world.nodes.values.filter(\.trashed).count) trashed)"
            )
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

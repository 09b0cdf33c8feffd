import App
import ArgumentParser
import AsyncHTTPClient
import CirrusCore
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport

/// `cirrus-bench sync`: how soon a change made at a provider reaches the chat — per provider and
/// kind of change, by polling with the interval set to `--interval` (Drive and Microsoft 365: by push; Dropbox: by longpoll),
/// against the interval as the yardstick — and the churn result: `--operations` random
/// operations over the four providers with `--fault-rate` of provider calls failing, after which
/// the synced documents are compared with what a fresh import would hold (every file under the
/// synced folders, listed through the API).
struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Change-to-chat latency per provider, and heavy churn.")

    @Option(help: "Seconds between a source's runs.") var interval = 30
    @Option(help: "Changes timed per provider and kind.") var samples = 3
    @Option(help: "Random operations over the four providers.") var operations = 1000
    @Option(help: "Share of provider calls failing during the churn (429, 500, resets).") var faultRate = 0.1
    @Option(help: "Milliseconds between two operations of the churn, so runs happen in the middle of it.") var paceMs = 50
    @Flag(inversion: .prefixedNo, help: "Microsoft 365 by Graph change notifications (else by polling delta).") var graphPush = true
    @Flag(inversion: .prefixedNo, help: "Time change-to-chat latency before the churn.") var latency = true
    @Flag(inversion: .prefixedNo, help: "Kill the server with SIGKILL half-way through the churn, and start it again.") var kill = true

    func run() async throws {
        let server = try DemoServer(
            label: "sync", admin: ("sync@example.com", "a long sync password"),
            extra: [
                AppConfig.Key.importRetryBase: "0", AppConfig.Key.syncInterval: String(interval), AppConfig.Key.syncPushMicrosoft: String(graphPush),
            ])
        defer { server.removeData() }
        let (origin, sandbox) = (server.origin, server.sandbox)
        // The sandbox and the server are processes of their own, so the server can be killed mid-churn.
        let processes = try await ServerProcesses(server)
        defer { processes.stop(SIGTERM) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        print(
            "command: \(CommandLine.arguments.joined(separator: " ")) (interval \(interval) s, \(samples) samples, \(operations) operations, fault rate \(faultRate))"
        )
        print(
            "store: \(server.databaseURL == nil ? "SQLite" : "PostgreSQL"); machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; push: Drive by changes.watch channels\(graphPush ? ", Microsoft 365 by Graph subscriptions" : "") (the sandbox posts over loopback), Dropbox by longpoll (its webhook needs a public URL)"
        )
        do {
            try await measure(BenchClient(http: http, origin: origin), sandbox: sandbox, processes: processes)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func measure(_ client: BenchClient, sandbox: String, processes: ServerProcesses) async throws {
        var client = client
        try await client.waitUntilUp()
        try await client.signIn(email: "sync@example.com", password: "a long sync password")
        var scopes: [Platform: BenchScope] = [:]
        for platform in Platform.allCases {
            try await client.connect(platform)
            scopes[platform] = try await BenchScope.make(platform, client: client, sandbox: sandbox, category: "Bench Sync")
        }
        if latency { try await self.latency(client, scopes: scopes, sandbox: sandbox) }
        try await churn(client, scopes: scopes, sandbox: sandbox, processes: processes)
    }

    // MARK: Latency

    private func latency(_ client: BenchClient, scopes: [Platform: BenchScope], sandbox: String) async throws {
        print(
            "change → chat latency, interval \(interval) s (\(samples) changes per provider and kind, the providers at once; p50 / max, and p50 as a share of the interval):"
        )
        // The providers are timed side by side: each has its own source and runs.
        let timings = try await withThrowingTaskGroup(of: (Platform, [String: [Double]]).self) { group in
            for (platform, scope) in scopes {
                group.addTask { (platform, try await Self.time(scope, samples: samples, interval: interval, client: client)) }
            }
            var all: [Platform: [String: [Double]]] = [:]
            for try await (platform, timing) in group { all[platform] = timing }
            return all
        }
        for platform in Platform.allCases {
            guard let timing = timings[platform] else { continue }
            let how =
                switch platform {
                case .googleDrive: "push (changes.watch), then the change feed"
                case .microsoft: graphPush ? "push (a Graph subscription), then the change feed" : "polling the change feed"
                case .dropbox: "longpoll"
                case .confluence: "polling, compared in full"
                }
            for kind in ["added", "edited", "deleted"] {
                let sorted = (timing[kind] ?? []).sorted()
                guard !sorted.isEmpty else { continue }
                let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
                print(
                    String(
                        format: "  %-12@ %-7@ p50 %5.1f s  max %5.1f s  (%.2f× the interval)  %@", platform.rawValue as NSString, kind as NSString,
                        median, sorted.last ?? 0, median / Double(interval), how as NSString))
            }
        }
    }

    /// Adds, edits and deletes a file `samples` times, timing each until the chat shows it.
    static func time(_ scope: BenchScope, samples: Int, interval: Int, client: BenchClient) async throws -> [String: [Double]] {
        var timing: [String: [Double]] = [:]
        for sample in 0..<samples {
            // Changes come at any moment, not just after a run: each waits a random part of the
            // interval first, so polling shows its average (half the interval) and its worst.
            func pause() async throws { try await Task.sleep(for: .milliseconds(Int.random(in: 0..<(interval * 1000)))) }
            try await pause()
            let marker = "qz\(scope.platform.rawValue.prefix(2))\(sample)x\(Int.random(in: 10000...99999))"
            let name = "latency-\(sample)-\(Int.random(in: 1000...9999)).txt"
            var start = ContinuousClock.now
            let id = try await scope.createFile(name: name, text: "The latency marker is \(marker) for this note.", client: client)
            try await client.waitForChat(marker, until: { $0.titles.contains(name) })
            timing["added", default: []].append((ContinuousClock.now - start).seconds)

            let revised = marker + "r"
            try await pause()
            start = ContinuousClock.now
            try await client.sandbox(
                scope.sandbox, "PATCH", "/_sandbox/files/\(id)", ["content": Data("The revised marker is \(revised) now.".utf8).base64EncodedString()])
            try await client.waitForChat(revised, until: { $0.titles.contains(name) && $0.answer.contains(revised) })
            timing["edited", default: []].append((ContinuousClock.now - start).seconds)

            try await pause()
            start = ContinuousClock.now
            try await client.sandbox(scope.sandbox, "DELETE", "/_sandbox/files/\(id)", [:])
            try await client.waitForChat(revised, until: { !$0.titles.contains(name) })
            timing["deleted", default: []].append((ContinuousClock.now - start).seconds)
        }
        return timing
    }

    // MARK: Churn

    private func churn(_ client: BenchClient, scopes: [Platform: BenchScope], sandbox: String, processes: ServerProcesses) async throws {
        var worlds: [Platform: ChurnWorld] = [:]
        for (platform, scope) in scopes { worlds[platform] = ChurnWorld(label: platform.rawValue, root: scope.folder, outside: scope.outside) }
        // What the latency runs left is part of the source too: start from an empty folder's view.
        for platform in Platform.allCases {
            for (status, share) in [(500, 0.4), (429, 0.3)] {
                try await client.sandbox(
                    sandbox, "POST", "/_sandbox/faults", ["platform": platform.rawValue, "status": status, "rate": faultRate * share, "retryAfter": 1])
            }
            try await client.sandbox(sandbox, "POST", "/_sandbox/faults", ["platform": platform.rawValue, "status": "reset", "rate": faultRate * 0.3])
        }
        var random = ChurnRandom(seed: 20_261_201)
        let start = ContinuousClock.now
        for step in 1...max(1, operations) {
            let platform = Platform.allCases[random.next(Platform.allCases.count)]
            guard let scope = scopes[platform] else { continue }
            try await scope.perform(&worlds[platform]!, random: &random, client: client)
            try await Task.sleep(for: .milliseconds(paceMs))
            if step % 25 == 0 {
                for scope in scopes.values {
                    _ = try await client.call(client.origin + "/api/v1/sources/\(scope.sourceID)/sync", method: .POST, bearer: client.bearer)
                }
            }
            if kill, step == operations / 2 {
                // Mid-run, mid-import: nothing the server held in memory may matter.
                processes.stop(SIGKILL)
                try await processes.start()
            }
        }
        let churned = (ContinuousClock.now - start).seconds
        try await client.sandbox(sandbox, "DELETE", "/_sandbox/faults", [:])
        let settleStart = ContinuousClock.now
        for scope in scopes.values { try await client.settle(scope.sourceID) }
        let settled = (ContinuousClock.now - settleStart).seconds
        print(
            String(
                format:
                    "churn: %d operations over the four providers in %.1f s with %.0f%% of provider calls failing%@; settled %.1f s after the faults stopped",
                operations, churned, faultRate * 100, (kill ? " and the server killed (SIGKILL) half-way" : "") as NSString, settled))

        // What a fresh import would hold: every file under each synced folder, listed through
        // the file browser's API (and the churn's own record of what it did, which must agree).
        for platform in Platform.allCases {
            guard let scope = scopes[platform], let world = worlds[platform] else { continue }
            let listStart = ContinuousClock.now
            let listed = Set(try await client.filesUnder(platform, folder: scope.rootID).filter { $0.hasPrefix("file-") || $0.hasPrefix("renamed-") })
            let listSeconds = (ContinuousClock.now - listStart).seconds
            let synced = try await client.documents(category: "Bench Sync", platform: platform).filter {
                $0.key.hasPrefix("file-") || $0.key.hasPrefix("renamed-")
            }
            let expected = world.expected
            let missing = listed.subtracting(synced.keys).count
            let gone = Set(synced.keys).subtracting(listed).count
            // A document holds the file's current text exactly when its size is the text's.
            let stale = synced.filter { entry in expected[entry.key].map { "\($0.utf8.count)" != entry.value } ?? false }.count
            let duplicated = try await client.duplicateCount(category: "Bench Sync", platform: platform)
            print(
                String(
                    format: "  %@: %d files — %d missing, %d stale, %d duplicated, %d that should be gone (listing them all took %.1f s)%@",
                    platform.rawValue as NSString, listed.count, missing, stale, duplicated, gone, listSeconds,
                    (listed == Set(expected.keys) ? "" : " — the listing and the churn's record disagree") as NSString))
        }
    }
}

/// One provider's synced folder in the benchmark.
struct BenchScope {
    let platform: Platform
    let sandbox: String
    /// Sandbox ids of the synced folder and of one beside it.
    let folder: String
    let outside: String
    /// The connector's id of the folder, and its synced source.
    let rootID: String
    let sourceID: String

    static func make(_ platform: Platform, client: BenchClient, sandbox: String, category: String) async throws -> BenchScope {
        var path: [String] = []
        var parent: String?
        switch platform {
        case .googleDrive, .dropbox: break
        case .microsoft: path = ["OneDrive"]
        case .confluence:
            path = ["Engineering Handbook", "Engineering Handbook"]
            parent = String(try await client.find(platform, path).dropFirst("page:".count))
        }
        let name = "Bench sync \(platform.rawValue)"
        let folder = try await client.sandboxItem(sandbox, platform, name: name, parent: parent, folder: true, text: nil)
        let outside = try await client.sandboxItem(sandbox, platform, name: name + " (outside)", parent: parent, folder: true, text: nil)
        let rootID = try await client.find(platform, path + [name])
        let job = try await client.call(
            client.origin + "/api/v1/integrations/\(platform.rawValue)/import", method: .POST, json: ["fileIds": [rootID], "category": category],
            bearer: client.bearer
        ).2
        guard let sourceID = job["sourceId"] as? String else { throw ValidationError("the import made no source: \(job)") }
        // The first run compares in full and takes the change feed's bookmark.
        try await client.settle(sourceID)
        return BenchScope(platform: platform, sandbox: sandbox, folder: folder, outside: outside, rootID: rootID, sourceID: sourceID)
    }

    func createFile(name: String, text: String, client: BenchClient) async throws -> String {
        try await client.sandboxItem(sandbox, platform, name: name, parent: folder, folder: false, text: text)
    }

    func perform(_ world: inout ChurnWorld, random: inout ChurnRandom, client: BenchClient) async throws {
        try await world.step(&random, platform: platform.rawValue) { method, path, body in
            try await client.sandbox(sandbox, method, path, body)
        }
    }
}

extension BenchClient {
    /// A control API call to the sandbox.
    @discardableResult
    func sandbox(_ sandbox: String, _ method: String, _ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        let reply = try await call(sandbox + path, method: HTTPMethod(rawValue: method), json: body)
        guard (200..<300).contains(reply.0) else { throw ValidationError("\(method) \(path) answered \(reply.0): \(reply.3.prefix(200))") }
        return reply.2
    }

    /// Creates a file or folder (a page on Confluence) in the sandbox; returns its id.
    func sandboxItem(_ sandbox: String, _ platform: Platform, name: String, parent: String?, folder: Bool, text: String?) async throws -> String {
        let body = ChurnWorld.newItem(platform.rawValue, name: name, parent: parent, text: folder ? nil : text ?? "")
        guard let id = try await self.sandbox(sandbox, "POST", "/_sandbox/files", body)["id"] as? String else { throw ValidationError("no id for \(name)") }
        return id
    }

    /// Browses down a path of names from the top; returns the last one's id.
    func find(_ platform: Platform, _ names: [String]) async throws -> String {
        var folder = "root"
        for name in names {
            let escaped = folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? folder
            let listing = try await call(origin + "/api/v1/integrations/\(platform.rawValue)/files?folder_id=\(escaped)", bearer: bearer).2
            guard let id = (listing["files"] as? [[String: Any]] ?? []).first(where: { $0["name"] as? String == name })?["id"] as? String else {
                throw ValidationError("no \(name) on \(platform.rawValue)")
            }
            folder = id
        }
        return folder
    }

    /// Asks the chat about `marker` every quarter second until `done` holds for the answer.
    func waitForChat(_ marker: String, until done: ((answer: String, titles: [String])) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            let reply = try await call(origin + "/api/v1/chat", method: .POST, json: ["question": marker, "category": "Bench Sync"], bearer: bearer).2
            let titles = (reply["sources"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            if done((reply["answer"] as? String ?? "", titles)) { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ValidationError("the chat never saw the change for \(marker)")
    }

    /// Runs a source until a run finds nothing to change and its imports are finished.
    func settle(_ sourceID: String) async throws {
        for _ in 0..<20 {
            let before = try await call(origin + "/api/v1/sources/\(sourceID)", bearer: bearer).2["totalChanges"] as? [String: Int] ?? [:]
            let requested = Date()
            _ = try await call(origin + "/api/v1/sources/\(sourceID)/sync", method: .POST, bearer: bearer)
            var source: [String: Any] = [:]
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                source = try await call(origin + "/api/v1/sources/\(sourceID)", bearer: bearer).2
            } while (source["lastRunAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }.map { $0 < requested.addingTimeInterval(-1) } ?? true
                || source["status"] as? String == "running"
            try await waitForImports()
            if source["lastError"] == nil, source["totalChanges"] as? [String: Int] == before { return }
        }
        throw ValidationError("source \(sourceID) did not settle")
    }

    func waitForImports() async throws {
        while let running = try await call(origin + "/api/v1/imports?status=running", bearer: bearer).2["imports"] as? [Any], !running.isEmpty {
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The names of every file under a folder, through the file browser's API.
    func filesUnder(_ platform: Platform, folder: String) async throws -> [String] {
        var names: [String] = []
        var folders = [folder]
        while let next = folders.popLast() {
            var pageToken: String?
            repeat {
                var query = "folder_id=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next)"
                if let pageToken { query += "&page_token=\(pageToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? pageToken)" }
                let page = try await call(origin + "/api/v1/integrations/\(platform.rawValue)/files?\(query)", bearer: bearer).2
                for file in page["files"] as? [[String: Any]] ?? [] {
                    guard let id = file["id"] as? String, let name = file["name"] as? String, id != next else { continue }
                    if file["isFolder"] as? Bool == true { folders.append(id) } else { names.append(name) }
                }
                pageToken = page["nextPageToken"] as? String
            } while pageToken != nil
        }
        return names
    }

    /// Titles of a category's documents of one platform, with the size of what they hold.
    func documents(category: String, platform: Platform) async throws -> [String: String] {
        let encoded = category.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? category
        var result: [String: String] = [:]
        var offset = 0
        while true {
            let page = try await call(origin + "/api/v1/documents?category=\(encoded)&source=\(platform.rawValue)&limit=500&offset=\(offset)", bearer: bearer).2
            let documents = page["documents"] as? [[String: Any]] ?? []
            for document in documents {
                guard let title = document["title"] as? String else { continue }
                result[title] = "\(document["sizeBytes"] ?? "")"
            }
            if documents.count < 500 { return result }
            offset += 500
        }
    }

    /// How many titles appear more than once in a category of one platform.
    func duplicateCount(category: String, platform: Platform) async throws -> Int {
        let encoded = category.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? category
        let page = try await call(origin + "/api/v1/documents?category=\(encoded)&source=\(platform.rawValue)&limit=5000", bearer: bearer).2
        let titles = (page["documents"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        return titles.count - Set(titles).count
    }
}

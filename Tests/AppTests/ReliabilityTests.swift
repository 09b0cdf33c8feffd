import CirrusCore
import FluentKit
import Foundation
import TestSupport
import Testing

@testable import App

/// A server that keeps working under faults and bad input, and imports that cannot run away.
@Suite("Reliability")
struct ReliabilityTests {
    /// A `cirrus sandbox` process and a `cirrus serve` process on the harness's store.
    final class Servers: @unchecked Sendable {
        let harness: TestHarness
        let sandboxOrigin: String
        var origin: String
        var environment: [String: String]
        private var sandbox: Process
        private(set) var server: Process?

        init(_ overrides: [String: String] = [:]) async throws {
            harness = try await TestHarness.make()
            try await harness.withStore { store in
                try await Accounts(store: store, bcryptCost: 4, sessionLifetime: 3600)
                    .createUser(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword, role: .owner)
            }
            let sandboxPort = try TestHarness.freePort()
            let port = try TestHarness.freePort()
            origin = "http://127.0.0.1:\(port)"
            sandboxOrigin = "http://127.0.0.1:\(sandboxPort)"
            sandbox = try MultiProcessTests.launch(["sandbox", "--port", String(sandboxPort), "--app-url", origin], environment: [:])
            environment = [
                "CIRRUS_ENCRYPTION_KEYS": harness.config.encryptionKeys.map(\.revealed).joined(separator: ","),
                "CIRRUS_DEMO": "true", "CIRRUS_SANDBOX_URL": sandboxOrigin, "API_BASE_URL": origin,
                "DATA_DIR": harness.dataDirectory.path, "LOG_LEVEL": "error", "CIRRUS_MODEL_DIR": TestHarness.modelDirectory.path,
                "CIRRUS_IMPORT_RETRY_BASE_SECONDS": "0",
            ]
            if let url = harness.config.databaseURL?.revealed { environment["DATABASE_URL"] = url }
            environment.merge(overrides) { $1 }
            try await MultiProcessTests.waitUntilUp(sandboxOrigin + "/_sandbox/stats")
            try await start(port: port)
        }

        /// Starts `cirrus serve` (again) on a fresh port, so no other test's server can hold it.
        func start(port: Int? = nil) async throws {
            let port = try port ?? TestHarness.freePort()
            origin = "http://127.0.0.1:\(port)"
            server = try MultiProcessTests.launch(["serve", "--port", String(port)], environment: environment)
            try await MultiProcessTests.waitUntilUp(origin + "/health")
        }

        func stop(_ signal: Int32) {
            guard let server else { return }
            kill(server.processIdentifier, signal)
            server.waitUntilExit()
        }

        func job(_ id: String, bearer: String) async throws -> [String: Any] {
            let reply = try await MultiProcessTests.call(origin + "/api/v1/imports/\(id)", bearer: bearer)
            return (try JSONSerialization.jsonObject(with: Data(reply.2)) as? [String: Any]) ?? [:]
        }

        func startImport(_ ids: [String], bearer: String, category: String) async throws -> String {
            let started = try await MultiProcessTests.call(
                origin + "/api/v1/integrations/google_drive/import", method: .POST, bearer: bearer, json: ["fileIds": ids, "category": category])
            #expect(started.0 == 202)
            return try #require((try JSONSerialization.jsonObject(with: Data(started.2)) as? [String: Any])?["id"] as? String)
        }

        deinit {
            for process in [sandbox, server].compactMap({ $0 }) where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    static func files(_ job: [String: Any]) -> [[String: Any]] {
        (job["items"] as? [[String: Any]] ?? []).filter { $0["isFolder"] as? Bool != true }
    }

    @Test("SIGTERM during an import ends the server within the grace period; the files in progress resume on the next start, their attempt not counted")
    func boundedShutdown() async throws {
        // given: a server with a 2 s grace period importing files whose downloads take 30 s each
        let servers = try await Servers(["CIRRUS_SHUTDOWN_GRACE_SECONDS": "2"])
        let bearer = try await MultiProcessTests.connect(.googleDrive, origin: servers.origin)
        let folder = try await ConnectDriver.makeDriveFolder(servers.sandboxOrigin, name: "Slow Batch", files: 8)
        try await ConnectDriver.control(
            servers.sandboxOrigin, "/faults", ["platform": "google_drive", "query": "alt=media", "status": "slow", "delayMs": 30_000, "rate": 1])
        let jobID = try await servers.startImport([folder], bearer: bearer, category: "Slow")
        _ = try await eventually("a download is under way") {
            try await Self.files(servers.job(jobID, bearer: bearer)).contains { $0["state"] as? String == "downloading" } ? true : nil
        }

        // when: the server is asked to stop
        let stopping = ContinuousClock.now
        servers.stop(SIGTERM)
        let took = ContinuousClock.now - stopping

        // then: it stopped within the grace period and a margin, not after the downloads
        #expect(took < .seconds(12), "SIGTERM took \(took)")
        // and after a restart without the slow downloads every file is imported, on its first counted attempt
        _ = try await MultiProcessTests.call(servers.sandboxOrigin + "/_sandbox/faults", method: .DELETE)
        try await servers.start()
        let finished = try await eventually("the job finishes after the restart") {
            ImportTests.finished(try await servers.job(jobID, bearer: bearer))
        }
        let files = Self.files(finished)
        #expect(files.count == 8)
        #expect(files.every { $0["state"] as? String == "done" }, "\(files.filter { $0["state"] as? String != "done" }.prefix(2))")
        #expect(files.every { $0["attempts"] as? Int == 1 }, "\(files.map { "\($0["name"] ?? "") \($0["attempts"] ?? "?") \($0["reason"] ?? "")" })")
        servers.stop(SIGTERM)
    }

    @Test("without the model files the server starts, stays up and answers from words")
    func runsWithoutTheModel() async throws {
        // given: a model directory that does not exist
        let servers = try await Servers(["CIRRUS_MODEL_DIR": "/nonexistent/cirrus-model"])
        // when: a question is asked
        let bearer = try await MultiProcessTests.connect(.googleDrive, origin: servers.origin)
        let asked = try await MultiProcessTests.call(
            servers.origin + "/api/v1/chat", method: .POST, bearer: bearer, json: ["question": "What is our refund policy?"])
        // then: it answers, and the process is still serving
        #expect(asked.0 == 200)
        #expect(try await MultiProcessTests.call(servers.origin + "/health").0 == 200)
        #expect(servers.server?.isRunning == true)
        servers.stop(SIGTERM)
    }

    @Test("a folder is expanded once even when the server is killed in the middle of listing it: each of 1,200 files is in the job once")
    func expansionSurvivesAKill() async throws {
        // given: a server expanding the 1,200-file archive, one listing page at a time
        let servers = try await Servers(["CIRRUS_IMPORT_WORKERS": "1"])
        let bearer = try await MultiProcessTests.connect(.googleDrive, origin: servers.origin)
        let root = try await MultiProcessTests.call(servers.origin + "/api/v1/integrations/google_drive/files?folder_id=root", bearer: bearer)
        let listing = try JSONSerialization.jsonObject(with: Data(root.2)) as? [String: Any]
        let archive = try #require((listing?["files"] as? [[String: Any]])?.first { $0["name"] as? String == "Archive 2019-2023" }?["id"] as? String)
        // folder listings (which name their parent in `q`) are slow; downloads are not
        try await ConnectDriver.control(
            servers.sandboxOrigin, "/faults", ["platform": "google_drive", "query": "q=", "status": "slow", "delayMs": 700, "rate": 1])
        let jobID = try await servers.startImport([archive], bearer: bearer, category: "Archive")

        // when: it is killed once part of the folder is queued
        _ = try await eventually("part of the folder is queued") {
            let count = try await Self.files(servers.job(jobID, bearer: bearer)).count
            return count >= 100 ? count : nil
        }
        servers.stop(SIGKILL)
        try await servers.start()

        // then: once the folder is listed again to the end, the job holds each file once
        let items = try await eventually("the folder is expanded after the restart") {
            let job = try await servers.job(jobID, bearer: bearer)
            let folder = (job["items"] as? [[String: Any]])?.first { $0["isFolder"] as? Bool == true }
            return folder?["state"] as? String == "done" ? Self.files(job) : nil
        }
        #expect(items.count == 1200)
        #expect(Set(items.compactMap { $0["fileId"] as? String }).count == 1200)
        servers.stop(SIGKILL)
    }

    @Test("an item that killed the importer more often than it may be tried ends failed, however often it is requeued")
    func crashLoopEnds() async throws {
        // given: an item whose attempts all died with the process (left 'downloading')
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let itemID = try await harness.withStore { store -> UUID in
            let job = try await ImportQueue(store: store).enqueue(
                platform: .googleDrive, category: "Crash", fileIDs: ["1CrashingFile"], userID: owner.requireID(), workspaceID: owner.$workspace.id)
            let item = try #require(try await ImportItem.query(on: store.database).filter(\.$job.$id == job.requireID()).first())
            item.state = .downloading
            item.attempts = ImportSettings().maxAttempts
            item.claimedAt = Date()
            try await item.save(on: store.database)
            return try item.requireID()
        }
        // when: the server starts again (requeueing what the dead process held)
        let item = try await harness.withServer { _ in
            try await eventually("the item reaches a final state") {
                try await harness.withStore { store in
                    let item = try await ImportItem.find(itemID, on: store.database)
                    return item.flatMap { $0.state.isFinal ? $0 : nil }
                }
            }
        }
        // then: it failed with the reason, and its job completed
        #expect(item.state == .failed)
        #expect(item.reason?.contains("stopped the importer") == true, "\(item.reason ?? "")")
        let job = try await harness.withStore { try await ImportJob.find(item.$job.id, on: $0.database) }
        #expect(job?.status == .completedWithErrors)
    }

    @Test("a job whose last item ended just before the process died is completed on the next start, and its source compares in full")
    func jobLeftRunningCompletes() async throws {
        // given: a synced source's job whose every item reached its end while the job stayed running
        let harness = try await TestHarness.make()
        let owner = try await harness.bootstrapOwner()
        let (jobID, sourceID) = try await harness.withStore { store -> (UUID, UUID) in
            let source = SyncedSource()
            source.$workspace.id = owner.$workspace.id
            source.$user.id = try owner.requireID()
            source.platform = .googleDrive
            source.roots = ["1Done", "1Skipped"]
            source.category = "Left"
            // Switched off, so that no run of it changes what this test reads.
            source.enabled = false
            source.intervalSeconds = 3600
            source.nextRunAt = Date().addingTimeInterval(3600)
            source.reconciledAt = Date()
            try await source.create(on: store.database)
            let job = try await ImportQueue(store: store).enqueue(
                platform: .googleDrive, category: "Left", fileIDs: ["1Done", "1Skipped"], userID: owner.requireID(),
                workspaceID: owner.$workspace.id, syncedSourceID: source.requireID())
            for item in try await ImportItem.query(on: store.database).filter(\.$job.$id == job.requireID()).all() {
                item.state = item.sourceFileID == "1Done" ? .done : .skipped
                item.finishedAt = Date()
                try await item.save(on: store.database)
            }
            return (try job.requireID(), try source.requireID())
        }
        // when: the server starts again
        let job = try await harness.withServer { _ in
            let job = try await eventually("the job completes") {
                try await harness.withStore { try await ImportJob.find(jobID, on: $0.database).flatMap { $0.status == .running ? nil : $0 } }
            }
            // then: the source is asked to compare in full, as after any job of a synced source
            try await eventually("the source's next run compares in full") {
                try await harness.withStore { try await SyncedSource.find(sourceID, on: $0.database)?.reconciledAt == nil }
            }
            return job
        }
        // and: it completed with what its items ended as
        #expect(job.status == .completed)
        #expect(job.finishedAt != nil)
    }

    @Test("a Drive shortcut that points back up the tree does not loop; deep and oversized folders end skipped with the reason")
    func expansionLimits() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.importMaxDepth: "2", AppConfig.Key.importMaxItems: "8"])
        try await harness.withServer { client in
            // given: Top ⊃ Middle ⊃ {Bottom ⊃ Deeper, a shortcut back to Top}, with files at each level
            let driver = try await ImportTests.connected(client, .googleDrive)
            let sandbox = try await driver.start(.googleDrive).sandboxOrigin
            func folder(_ name: String, in parent: String?) async throws -> String {
                var body: [String: Any] = ["platform": "google_drive", "name": name, "mimeType": "application/vnd.google-apps.folder"]
                if let parent { body["parentId"] = parent }
                return try #require(try await ConnectDriver.control(sandbox, "/files", body)["id"] as? String)
            }
            func file(_ name: String, in parent: String) async throws {
                _ = try await ConnectDriver.control(
                    sandbox, "/files",
                    [
                        "platform": "google_drive", "parentId": parent, "name": name, "mimeType": "text/plain",
                        "content": Data("Notes about \(name).".utf8).base64EncodedString(),
                    ])
            }
            let top = try await folder("Loop Top", in: nil)
            let middle = try await folder("Loop Middle", in: top)
            let bottom = try await folder("Loop Bottom", in: middle)
            let deeper = try await folder("Loop Deeper", in: bottom)
            try await file("top.txt", in: top)
            try await file("middle.txt", in: middle)
            try await file("deeper.txt", in: deeper)
            _ = try await ConnectDriver.control(
                sandbox, "/files",
                [
                    "platform": "google_drive", "parentId": middle, "name": "Back to Top", "mimeType": "application/vnd.google-apps.shortcut",
                    "shortcutTarget": top,
                ])

            // when: Top is imported
            let job = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [top], category: "Loops")

            // then: the job finished; Top is in it once; the folder two levels down was not walked
            #expect(job["status"] as? String != "running")
            let items = ImportTests.items(job)
            #expect(items.filter { $0["fileId"] as? String == top }.count == 1)
            let byName = Dictionary(items.map { ($0["name"] as? String ?? "", $0) }) { first, _ in first }
            #expect(byName["top.txt"]?["state"] as? String == "done")
            #expect(byName["middle.txt"]?["state"] as? String == "done")
            #expect(byName["Loop Bottom"]?["state"] as? String == "skipped")
            #expect((byName["Loop Bottom"]?["reason"] as? String)?.contains("levels below") == true)
            #expect(byName["deeper.txt"] == nil)

            // and a folder with more files than the job may hold is cut at the cap, with the reason
            let big = try await ConnectDriver.makeDriveFolder(sandbox, name: "Too Many", files: 12)
            let capped = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [big], category: "Capped")
            let cappedItems = ImportTests.items(capped)
            #expect(cappedItems.count == 8)
            let bigRow = cappedItems.first { $0["fileId"] as? String == big }
            #expect(bigRow?["state"] as? String == "skipped")
            #expect((bigRow?["reason"] as? String)?.contains("limit of 8 items") == true, "\(bigRow?["reason"] ?? "")")
        }
    }

    @Test("an import started while the provider is down is created at once and finishes once the provider is back")
    func jobCreatedDuringOutage() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.importRetryBase: "0"])
        try await harness.withServer { client in
            // given: Drive answers every metadata call with 503
            let driver = try await ImportTests.connected(client, .googleDrive)
            let sandbox = try await driver.start(.googleDrive).sandboxOrigin
            let folder = try await ConnectDriver.makeDriveFolder(sandbox, name: "Outage", files: 2)
            _ = try await ConnectDriver.control(sandbox, "/faults", ["platform": "google_drive", "path": "/drive/v3/files/", "status": 503, "rate": 1])
            // when: the import is started
            let started = try await client.json(
                .post, "/api/v1/integrations/google_drive/import", ["fileIds": [folder], "category": "Outage"], bearer: driver.bearer)
            // then: the job exists at once, and finishes after the outage
            #expect(started.status == .accepted, "\(started.body.prefix(200))")
            let id = try #require(try started.json()["id"] as? String)
            _ = try await eventually("the provider's refusal is seen as a retry") {
                let job = try await client.get("/api/v1/imports/\(id)", bearer: driver.bearer).json()
                return ImportTests.items(job).contains { ($0["reason"] as? String)?.hasPrefix("Retrying") == true } ? true : nil
            }
            _ = try await MultiProcessTests.call(sandbox + "/_sandbox/faults", method: .DELETE)
            let job = try await ImportTests.waitFor(client, driver, job: id)
            #expect(job["status"] as? String == "completed")
            #expect(Self.files(job).count == 2)
        }
    }
}

@Suite("Reliability: no connection held across provider calls")
struct HeldConnectionTests {
    @Test("while the provider is slow to refresh a token, the database keeps answering (/health says ok before the refresh ends)")
    func refreshHoldsNoConnection() async throws {
        let harness = try await TestHarness.make()
        try await harness.withServer { client in
            // given: a connection whose token is due, and a token endpoint that takes 8 s to answer
            let (driver, started) = try await ConnectTests.connectedWithTokenDue(client, harness: harness)
            _ = try await ConnectDriver.control(
                started.sandboxOrigin, "/faults", ["platform": "microsoft", "path": "/token", "status": "slow", "delayMs": 8000, "rate": 1])
            // when: a call needs the refresh, and the refresh is under way
            let call = Task { try await client.get("/api/v1/integrations/microsoft/account", bearer: driver.bearer).status }
            _ = try await eventually("the refresh is under way") {
                try await harness.withStore { store in try await UserIntegration.query(on: store.database).first()?.refreshClaim }
            }
            // then: the store answers while the provider is still thinking — /health says "ok",
            // not "busy" (what it says when no connection frees up within its 2 s patience), and
            // the refresh is still under way when it does — and the call succeeds once the
            // provider answers. Observed states, no stopwatch: a slow machine cannot fail it.
            let health = try await MultiProcessTests.call("http://127.0.0.1:\(client.port)/health")
            #expect((try JSONSerialization.jsonObject(with: Data(health.2)) as? [String: Any])?["database"] as? String == "ok")
            let stillRefreshing = try await harness.withStore { store in try await UserIntegration.query(on: store.database).first()?.refreshClaim }
            #expect(stillRefreshing != nil, "the provider answered before /health did")
            #expect(try await call.value == .ok)
        }
    }
}

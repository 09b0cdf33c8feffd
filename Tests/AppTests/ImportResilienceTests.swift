import AsyncHTTPClient
import CirrusCore
import FluentKit
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import App

/// Imports that meet a misbehaving provider or a dying server still end with every file in a final state.
@Suite("Import resilience")
struct ImportResilienceTests {
    @Test("with 20% 429 (Retry-After), 5% 500 and 5% connection resets, an import of 200 files ends with every file done")
    func faultsDoNotLoseFiles() async throws {
        let harness = try await TestHarness.make([AppConfig.Key.importRetryBase: "0"])
        try await harness.withServer { client in
            // given a connected Drive holding a folder of 200 files, and a provider that misbehaves
            let driver = try await ConnectTests.signedIn(client)
            let started = try await driver.start(.googleDrive)
            #expect(try await driver.callback(try await driver.consent(started)).status == .ok)
            let origin = started.sandboxOrigin
            let folder = try await ConnectDriver.makeDriveFolder(origin, name: "Fault Batch", files: 200)
            try await ConnectDriver.control(
                origin, "/faults", ["platform": "google_drive", "path": "/drive/v3/files", "status": 429, "rate": 0.2, "retryAfter": 1])
            try await ConnectDriver.control(origin, "/faults", ["platform": "google_drive", "path": "/drive/v3/files", "status": 500, "rate": 0.05])
            try await ConnectDriver.control(origin, "/faults", ["platform": "google_drive", "path": "/drive/v3/files", "status": "reset", "rate": 0.05])
            // when the folder is imported
            let job = try await ImportTests.importAndWait(client, driver, .googleDrive, ids: [folder], category: "Batch", timeout: .seconds(600))
            // then every file is done, none lost
            let files = ImportTests.items(job).filter { $0["isFolder"] as? Bool != true }
            #expect(files.count == 200, "\(String(describing: job).prefix(2000))")
            let notDone = files.filter { $0["state"] as? String != "done" }
            #expect(notDone.isEmpty, "\(notDone.prefix(5))")
            #expect(job["status"] as? String == "completed")
            let faults = try await ConnectDriver.stats(origin, .googleDrive).filter { $0.key.contains("fault") }.values.reduce(0, +)
            #expect(faults > 20, "the sandbox injected \(faults) faults")
        }
    }

    @Test("a server killed in the middle of an import finishes the job after a restart, with no file lost and none imported twice")
    func killAndRestart() async throws {
        // given: a sandbox process and a server process on one store
        let servers = try await ReliabilityTests.Servers()
        let bearer = try await MultiProcessTests.connect(.googleDrive, origin: servers.origin)

        // a folder of 80 files whose downloads are slow, so the job is still running when the server dies
        let folder = try await ConnectDriver.makeDriveFolder(servers.sandboxOrigin, name: "Restart Batch", files: 80)
        try await ConnectDriver.control(
            servers.sandboxOrigin, "/faults", ["platform": "google_drive", "path": "/drive/v3/files/", "status": "slow", "delayMs": 150, "rate": 1])
        let jobID = try await servers.startImport([folder], bearer: bearer, category: "Restart")
        // when: the server is killed (SIGKILL, no graceful shutdown) part-way through
        let completed = try await eventually("ten files are done") {
            let completed = try await servers.job(jobID, bearer: bearer)["completed"] as? Int ?? 0
            return completed >= 10 ? completed : nil
        }
        #expect(completed < 80, "\(completed) files were done when the server was killed")
        servers.stop(SIGKILL)
        // and started again on the same store (on a new port: the old one may already be taken by
        // another test's server once it is free)
        try await servers.start()
        let finished = try await eventually("the job finishes after the restart") {
            ImportTests.finished(try await servers.job(jobID, bearer: bearer))
        }

        // then: the job finished, every file done once
        #expect(finished["status"] as? String == "completed")
        let files = ReliabilityTests.files(finished)
        #expect(files.count == 80)
        #expect(files.every { $0["state"] as? String == "done" }, "\(files.filter { $0["state"] as? String != "done" }.prefix(3))")
        #expect(Set(files.compactMap { $0["documentId"] as? String }).count == 80)
        try await servers.harness.withStore { store in
            #expect(try await KnowledgeDocument.query(on: store.database).filter(\.$category == "Restart").count() == 80)
            let chunks = try await KnowledgeChunk.query(on: store.database).count()
            #expect(chunks == 80, "one chunk per small file, none duplicated")
        }
        servers.stop(SIGTERM)
    }

    @Test(
        "on PostgreSQL, a web-only server and two `cirrus worker` processes share one import queue; every file is imported once, and the web process answers from them",
        .enabled(if: TestHarness.postgresBaseURL != nil))
    func workersShareTheQueue() async throws {
        // given: a migrated database, a sandbox, a server without workers and two worker processes
        let harness = try await TestHarness.make()
        try await harness.withStore { store in
            try await Accounts(store: store, bcryptCost: 4, sessionLifetime: 3600)
                .createUser(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword, role: .owner)
        }
        let sandboxPort = try TestHarness.freePort()
        let port = try TestHarness.freePort()
        let origin = "http://127.0.0.1:\(port)"
        let sandboxOrigin = "http://127.0.0.1:\(sandboxPort)"
        let sandbox = try MultiProcessTests.launch(["sandbox", "--port", String(sandboxPort), "--app-url", origin], environment: [:])
        var processes = [sandbox]
        defer { for process in processes where process.isRunning { process.terminate() } }
        try await MultiProcessTests.waitUntilUp(sandboxOrigin + "/_sandbox/stats")
        let environment = [
            "DATABASE_URL": harness.config.databaseURL!.revealed,
            "CIRRUS_ENCRYPTION_KEYS": harness.config.encryptionKeys.map(\.revealed).joined(separator: ","),
            "CIRRUS_DEMO": "true", "CIRRUS_SANDBOX_URL": sandboxOrigin, "API_BASE_URL": origin, "CIRRUS_AUTO_MIGRATE": "false",
            "DATA_DIR": harness.dataDirectory.path, "LOG_LEVEL": "error", "CIRRUS_MODEL_DIR": TestHarness.modelDirectory.path,
        ]
        processes.append(
            try MultiProcessTests.launch(["serve", "--port", String(port)], environment: environment.merging(["CIRRUS_IMPORT_WORKERS": "0"]) { $1 }))
        for _ in 0..<2 { processes.append(try MultiProcessTests.launch(["worker", "--workers", "3"], environment: environment)) }
        try await MultiProcessTests.waitUntilUp(origin + "/health")
        let bearer = try await MultiProcessTests.connect(.googleDrive, origin: origin)

        // when: a folder of 120 files is imported
        let folder = try await ConnectDriver.makeDriveFolder(sandboxOrigin, name: "Shared Queue", files: 120)
        let started = try await MultiProcessTests.call(
            origin + "/api/v1/integrations/google_drive/import", method: .POST, bearer: bearer, json: ["fileIds": [folder], "category": "Queue"])
        let jobID = try #require((try JSONSerialization.jsonObject(with: Data(started.2)) as? [String: Any])?["id"] as? String)
        let job = try await eventually("the shared import finishes", timeout: .seconds(120)) { () -> [String: Any]? in
            let job =
                (try JSONSerialization.jsonObject(with: Data(try await MultiProcessTests.call(origin + "/api/v1/imports/\(jobID)", bearer: bearer).2))
                    as? [String: Any]) ?? [:]
            return ImportTests.finished(job)
        }

        // then: the workers did it all, each file once
        #expect(job["status"] as? String == "completed")
        let files = (job["items"] as? [[String: Any]] ?? []).filter { $0["isFolder"] as? Bool != true }
        #expect(files.count == 120 && files.allSatisfy { $0["state"] as? String == "done" && $0["attempts"] as? Int == 1 })
        #expect(try await ConnectDriver.stats(sandboxOrigin, .googleDrive)["files.download"] == 120)
        let documents = try await harness.withStore { store in
            try await KnowledgeDocument.query(on: store.database).filter(\.$category == "Queue").count()
        }
        #expect(documents == 120)
        // and the web process, which imported none of them, answers from them through the change sequence
        let asked = try await MultiProcessTests.call(
            origin + "/api/v1/chat", method: .POST, bearer: bearer,
            json: ["question": "When does the shipment for order 10077 leave the warehouse?", "category": "Queue"])
        let answer = try JSONSerialization.jsonObject(with: Data(asked.2)) as? [String: Any] ?? [:]
        let sources = answer["sources"] as? [[String: Any]] ?? []
        #expect(sources.first?["title"] as? String == "note-077.txt", "\(answer)")
        #expect((answer["answer"] as? String ?? "").contains("10077"))
    }
}

import CirrusCore
import FluentKit
import Foundation
import Logging
import Synchronization
import Testing

@testable import App

/// Lists load in a fixed number of queries, however many rows they show.
@Suite("Query counts")
struct QueryCountTests {
    /// Counts the store's queries of the import tables (FluentKit logs each at debug level).
    final class QueryCounter: LogHandler, @unchecked Sendable {
        private let lines = Mutex<[String]>([])
        var logLevel: Logger.Level = .debug
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard "\(event.message)" == "Running query" else { return }
            let line = "\(event.metadata ?? [:])"
            lines.withLock { $0.append(line) }
        }

        func reset() { lines.withLock { $0.removeAll() } }

        /// Queries so far that read or write the import tables.
        var importQueries: Int { lines.withLock { $0.filter { $0.contains("import_jobs") || $0.contains("import_items") }.count } }
    }

    /// `GET /api/v1/imports` with `jobs` jobs of three items each: how many import-table queries it made.
    static func queries(listing jobs: Int) async throws -> Int {
        let harness = try await TestHarness.make([AppConfig.Key.importWorkers: "0", AppConfig.Key.logLevel: "debug"])
        let owner = try await harness.bootstrapOwner()
        try await harness.withStore { store in
            for index in 0..<jobs {
                _ = try await ImportQueue(store: store).enqueue(
                    platform: .dropbox, category: "Batch \(index)", fileIDs: ["a\(index)", "b\(index)", "c\(index)"],
                    userID: owner.requireID(), workspaceID: owner.$workspace.id)
            }
        }
        let counter = QueryCounter()
        var logger = Logger(label: "query-count") { _ in counter }
        logger.logLevel = .debug
        return try await harness.withServer(logger: logger) { client in
            let token = try await client.apiToken(email: TestHarness.ownerEmail, password: TestHarness.ownerPassword)
            counter.reset()
            let reply = try await client.get("/api/v1/imports", bearer: token)
            #expect(reply.status == .ok)
            #expect((try reply.json()["imports"] as? [[String: Any]])?.count == jobs)
            return counter.importQueries
        }
    }

    @Test("the imports list reads the import tables in two queries, for 2 jobs as for 12")
    func importsList() async throws {
        // given: workspaces with 2 and with 12 jobs
        // when: each lists its imports
        let few = try await Self.queries(listing: 2)
        let many = try await Self.queries(listing: 12)
        // then: the same two queries (the jobs, then all their items)
        print("GET /api/v1/imports: \(few) import-table queries for 2 jobs, \(many) for 12")
        #expect(few == 2)
        #expect(many == 2)
    }
}

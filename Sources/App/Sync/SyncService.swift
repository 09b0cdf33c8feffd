import CirrusCore
import FluentKit
import Foundation

/// Synced sources of the caller's workspace: create, change, run now and delete. The API and
/// the Sources page both go through here.
struct SyncService: Sendable {
    let store: Store
    let schedule: SyncSchedule
    let tokens: TokenManager
    let audit: Audit
    /// The interval a new source gets unless it asks for another.
    let defaultInterval: Int

    /// What a new source or a change to one asks for; absent fields keep their value.
    struct Changes: Sendable {
        var roots: [String]?
        var category: String?
        var enabled: Bool?
        var intervalSeconds: Int?
    }

    /// A source with the figures its views show.
    struct Report: Sendable {
        let source: SyncedSource
        let documentCount: Int
    }

    func list(for identity: Identity) async throws -> [Report] {
        let sources = try await SyncedSource.query(on: store.database).filter(\.$workspace.$id == identity.workspaceID)
            .sort(\.$createdAt).sort(\.$id).all()
        let counts = try await documentCounts(sources.map { try $0.requireID() })
        return try sources.map { Report(source: $0, documentCount: counts[try $0.requireID()] ?? 0) }
    }

    func report(_ id: UUID, for identity: Identity) async throws -> Report {
        let source = try await find(id, for: identity)
        return Report(source: source, documentCount: try await documentCounts([id])[id] ?? 0)
    }

    /// Creates a source of the caller's connection to `platform`; its first run (at once)
    /// imports everything under the roots.
    func create(_ platform: Platform, _ changes: Changes, by identity: Identity, clientAddress: String?) async throws -> UUID {
        let roots = try ImportService.selection(changes.roots ?? [])
        _ = try await tokens.connection(platform, userID: identity.userID, workspaceID: identity.workspaceID)
        let source = try await makeSource(
            platform, roots: roots, category: ImportService.category(changes.category), enabled: changes.enabled ?? true,
            interval: try Self.interval(changes.intervalSeconds ?? defaultInterval), firstRun: Date(), by: identity)
        await audit.record(
            .sourceCreated, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: platform.rawValue,
            detail: "\(roots.count) item\(roots.count == 1 ? "" : "s") synced into “\(source.category)”", clientAddress: clientAddress)
        return try source.requireID()
    }

    /// The source an import keeps in sync: the caller's source of this platform and category,
    /// extended by the new roots, or a new one. Its first run waits for the interval, since the
    /// import itself is the first copy.
    func attach(_ platform: Platform, roots: [String], category: String, by identity: Identity) async throws -> UUID {
        if let source = try await SyncedSource.query(on: store.database).filter(\.$workspace.$id == identity.workspaceID)
            .filter(\.$user.$id == identity.userID).filter(\.$platform == platform).filter(\.$category == category).first()
        {
            var held = Set(source.roots)
            let added = roots.filter { held.insert($0).inserted }
            if !added.isEmpty {
                source.roots += added
                source.restartFeed()
            }
            try await source.save(on: store.database)
            return try source.requireID()
        }
        let source = try await makeSource(
            platform, roots: roots, category: category, enabled: true, interval: defaultInterval,
            firstRun: Date().addingTimeInterval(TimeInterval(defaultInterval)), by: identity)
        return try source.requireID()
    }

    private func makeSource(
        _ platform: Platform, roots: [String], category: String, enabled: Bool, interval: Int, firstRun: Date, by identity: Identity
    ) async throws -> SyncedSource {
        let source = SyncedSource()
        source.$workspace.id = identity.workspaceID
        source.$user.id = identity.userID
        source.platform = platform
        source.roots = roots
        source.category = category
        source.enabled = enabled
        source.intervalSeconds = interval
        source.nextRunAt = firstRun
        try await source.create(on: store.database)
        return source
    }

    func update(_ id: UUID, _ changes: Changes, by identity: Identity, clientAddress: String?) async throws {
        let source = try await find(id, for: identity)
        if let roots = changes.roots {
            let roots = try ImportService.selection(roots)
            if roots != source.roots {
                source.roots = roots
                source.restartFeed()
            }
        }
        if let category = changes.category { source.category = ImportService.category(category) }
        if let enabled = changes.enabled {
            // Turned back on: run at once rather than after a whole interval.
            if enabled && !source.enabled { source.nextRunAt = Date() }
            source.enabled = enabled
        }
        if let interval = changes.intervalSeconds { source.intervalSeconds = try Self.interval(interval) }
        try await source.save(on: store.database)
        await audit.record(
            .sourceChanged, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            platform: source.platform.rawValue, detail: "“\(source.category)”: \(source.enabled ? "on" : "paused"), every \(source.intervalSeconds) s",
            clientAddress: clientAddress)
    }

    /// Runs the source as soon as a worker is free (after the run in progress, if any).
    func syncNow(_ id: UUID, for identity: Identity) async throws {
        _ = try await find(id, for: identity)
        try await schedule.request(id)
    }

    /// Deletes a source; its documents stay (no longer synced) or go with it.
    func delete(_ id: UUID, removingDocuments: Bool, by identity: Identity, clientAddress: String?) async throws {
        let source = try await find(id, for: identity)
        let workspaceID = identity.workspaceID
        let removed = try await store.database.transaction { db -> Int in
            func held() -> QueryBuilder<KnowledgeDocument> {
                KnowledgeDocument.query(on: db).filter(\.$workspace.$id == workspaceID).filter(\.$syncedSourceID == id)
            }
            var removed = 0
            if removingDocuments {
                let documents = try await held().all()
                for document in documents { try await DocumentIndexer.remove(document, on: db) }
                removed = documents.count
            } else {
                try await held().set(\.$syncedSourceID, to: nil).update()
            }
            try await ImportJob.query(on: db).filter(\.$syncedSourceID == id).set(\.$syncedSourceID, to: nil).update()
            try await source.delete(on: db)
            return removed
        }
        await audit.record(
            .sourceDeleted, workspaceID: workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: source.platform.rawValue,
            detail: "“\(source.category)”" + (removingDocuments ? ", \(removed) document\(removed == 1 ? "" : "s") removed" : ", documents kept"),
            clientAddress: clientAddress)
    }

    private func find(_ id: UUID, for identity: Identity) async throws -> SyncedSource {
        guard
            let source = try await SyncedSource.query(on: store.database).filter(\.$id == id)
                .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw SyncError.notFound }
        return source
    }

    private func documentCounts(_ sources: [UUID]) async throws -> [UUID: Int] {
        guard !sources.isEmpty else { return [:] }
        let rows = try await store.sql.raw(
            "SELECT synced_source_id, COUNT(*) AS total FROM documents WHERE synced_source_id IN (\(binds: sources)) GROUP BY synced_source_id"
        ).all()
        var counts: [UUID: Int] = [:]
        for row in rows { counts[try row.decode(column: "synced_source_id", as: UUID.self)] = try row.decode(column: "total", as: Int.self) }
        return counts
    }

    private static func interval(_ seconds: Int) throws -> Int {
        guard (SyncSettings.minimumInterval...SyncSettings.maximumInterval).contains(seconds) else { throw SyncError.invalidInterval }
        return seconds
    }
}

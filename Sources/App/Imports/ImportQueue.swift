import CirrusCore
import FluentKit
import Foundation
import SQLKit

/// The import queue: rows in the store. Jobs are created at once; workers claim items one at a
/// time (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes share the queue), keep a
/// lease while they work, and record every item's final state.
struct ImportQueue: Sendable {
    let store: Store
    /// A claim older than this is taken to belong to a worker that died; live workers renew
    /// theirs every ``heartbeatInterval``.
    let lease: TimeInterval
    var heartbeatInterval: Duration { .seconds(max(1, lease / 3)) }

    init(store: Store, lease: TimeInterval = 30) {
        self.store = store
        self.lease = lease
    }

    /// Creates a job with one waiting item per selected file or folder.
    func enqueue(platform: Platform, category: String, files: [CloudFile], userID: UUID, workspaceID: UUID) async throws -> (ImportJob, [ImportItem]) {
        let encoder = JSONEncoder()
        return try await store.database.transaction { db in
            let job = ImportJob()
            job.$workspace.id = workspaceID
            job.$user.id = userID
            job.platform = platform.rawValue
            job.category = category
            job.status = ImportJobStatus.running.rawValue
            try await job.create(on: db)
            var items: [ImportItem] = []
            for file in files {
                let item = try Self.item(for: file, job: job.requireID(), encoder: encoder)
                try await item.create(on: db)
                items.append(item)
            }
            return (job, items)
        }
    }

    static func item(for file: CloudFile, job: UUID, encoder: JSONEncoder) throws -> ImportItem {
        let item = ImportItem()
        item.$job.id = job
        item.sourceFileID = file.id
        item.name = file.isFolder && !file.isAlsoDocument ? file.name : file.contentName
        item.state = ImportItemState.waiting.rawValue
        item.chunkCount = 0
        item.attempts = 0
        item.isFolder = file.isFolder
        item.bytes = file.size
        item.fileJSON = String(decoding: try encoder.encode(file), as: UTF8.self)
        return item
    }

    /// Adds the files found inside a folder to the folder's job.
    func expand(job: UUID, with files: [CloudFile]) async throws {
        let encoder = JSONEncoder()
        try await store.database.transaction { db in
            for file in files { try await Self.item(for: file, job: job, encoder: encoder).create(on: db) }
        }
    }

    /// Takes the next item that is due, marking it `downloading` under this worker's lease.
    func claim(now: Date = Date()) async throws -> ImportItem? {
        guard let sql = store.database as? any SQLDatabase else { return nil }
        let skipLocked = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE import_items SET state = \(bind: ImportItemState.downloading.rawValue), claimed_at = \(bind: now), attempts = attempts + 1, updated_at = \(bind: now)
            WHERE id = (SELECT id FROM import_items WHERE state = \(bind: ImportItemState.waiting.rawValue)
                AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now)) ORDER BY created_at, id LIMIT 1\(unsafeRaw: skipLocked))
                AND state = \(bind: ImportItemState.waiting.rawValue)
            RETURNING id
            """).all()
        guard let row = rows.first, let id = try? row.decode(column: "id", as: UUID.self) else { return nil }
        return try await ImportItem.find(id, on: store.database)
    }

    /// Puts items whose worker stopped (a crash, a kill, a restart) back in the queue.
    /// - Parameter all: on start-up of the only process (SQLite), every unfinished item is orphaned.
    @discardableResult
    func requeueAbandoned(all: Bool = false, now: Date = Date()) async throws -> Int {
        let inProgress = [ImportItemState.downloading, .extracting, .indexing].map(\.rawValue)
        var query = ImportItem.query(on: store.database).filter(\.$state ~~ inProgress)
        if !all { query = query.filter(\.$claimedAt < now.addingTimeInterval(-lease)) }
        let abandoned = try await query.all()
        for item in abandoned {
            item.state = ImportItemState.waiting.rawValue
            item.claimedAt = nil
            try await item.save(on: store.database)
        }
        return abandoned.count
    }

    /// Renews an item's lease while a worker is still on it, without touching its other fields.
    func heartbeat(_ id: UUID, now: Date = Date()) async throws {
        guard let sql = store.database as? any SQLDatabase else { return }
        try await sql.raw("""
            UPDATE import_items SET claimed_at = \(bind: now) WHERE id = \(bind: id)
            AND state IN (\(bind: ImportItemState.downloading.rawValue), \(bind: ImportItemState.extracting.rawValue), \(bind: ImportItemState.indexing.rawValue))
            """).run()
    }

    /// Moves an item to the next stage and renews its lease.
    func advance(_ item: ImportItem, to state: ImportItemState) async throws {
        item.state = state.rawValue
        item.claimedAt = Date()
        try await item.save(on: store.database)
    }

    /// Records a final state.
    func finish(_ item: ImportItem, _ state: ImportItemState, reason: String? = nil, chunks: Int = 0, document: UUID? = nil) async throws {
        item.state = state.rawValue
        item.reason = reason.map { String($0.prefix(500)) }
        item.chunkCount = chunks
        item.$document.id = document
        item.claimedAt = nil
        item.finishedAt = Date()
        try await item.save(on: store.database)
    }

    /// Schedules another attempt after `delay`.
    func retry(_ item: ImportItem, after delay: TimeInterval, reason: String) async throws {
        item.state = ImportItemState.waiting.rawValue
        item.reason = "Retrying: " + String(reason.prefix(300))
        item.nextAttemptAt = Date().addingTimeInterval(delay)
        item.claimedAt = nil
        try await item.save(on: store.database)
    }

    /// Marks the job finished once no item is left to do; returns the job when this call finished it.
    func completeJobIfDone(_ jobID: UUID) async throws -> ImportJob? {
        let open = try await ImportItem.query(on: store.database).filter(\.$job.$id == jobID)
            .filter(\.$state ~~ [ImportItemState.waiting, .downloading, .extracting, .indexing].map(\.rawValue)).count()
        guard open == 0, let sql = store.database as? any SQLDatabase else { return nil }
        let failed = try await ImportItem.query(on: store.database).filter(\.$job.$id == jobID).filter(\.$state == ImportItemState.failed.rawValue).count()
        let status = (failed > 0 ? ImportJobStatus.completedWithErrors : .completed).rawValue
        let now = Date()
        // A conditional update, so of two workers finishing the last items only one completes the job.
        let changed = try await sql.raw("""
            UPDATE import_jobs SET status = \(bind: status), finished_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: jobID) AND status = \(bind: ImportJobStatus.running.rawValue) RETURNING id
            """).all()
        guard !changed.isEmpty else { return nil }
        return try await ImportJob.find(jobID, on: store.database)
    }
}

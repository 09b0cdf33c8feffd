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

    /// The states of an item a worker is on.
    static let inProgress: [ImportItemState] = [.downloading, .extracting, .indexing]
    /// The states of an item not yet at its end.
    static let unfinished: [ImportItemState] = [.waiting] + inProgress

    init(store: Store, lease: TimeInterval = 30) {
        self.store = store
        self.lease = lease
    }

    /// Creates a job with one waiting item per selected file or folder, at once: the items
    /// carry only the provider's ids, and workers look each one up (so a provider outage shows
    /// as per-file progress and retries, never as a job that was not created).
    func enqueue(
        platform: Platform, category: String, fileIDs: [String], userID: UUID, workspaceID: UUID, syncedSourceID: UUID? = nil
    ) async throws -> ImportJob {
        try await store.database.transaction { db in
            try await Self.enqueue(
                platform: platform, category: category, items: fileIDs.map { NewItem(sourceFileID: $0, name: $0) }, userID: userID,
                workspaceID: workspaceID, syncedSourceID: syncedSourceID, on: db)
        }
    }

    /// Creates a job on `db` (the caller's transaction) for files already looked up at the
    /// provider: a sync run records its changes and the job that imports them together.
    static func enqueue(
        platform: Platform, category: String, files: [CloudFile], userID: UUID, workspaceID: UUID, syncedSourceID: UUID?, on db: any Database
    ) async throws -> ImportJob {
        return try await enqueue(
            platform: platform, category: category, items: try files.map { try NewItem(file: $0) }, userID: userID, workspaceID: workspaceID,
            syncedSourceID: syncedSourceID, on: db)
    }

    private static func enqueue(
        platform: Platform, category: String, items: [NewItem], userID: UUID, workspaceID: UUID, syncedSourceID: UUID?, on db: any Database
    ) async throws -> ImportJob {
        let job = ImportJob()
        job.$workspace.id = workspaceID
        job.$user.id = userID
        job.platform = platform
        job.category = category
        job.status = .running
        job.syncedSourceID = syncedSourceID
        try await job.create(on: db)
        try await insert(items, job: job.requireID(), on: db)
        return job
    }

    /// Adds the files found inside a folder to the folder's job, one level deeper. A file the
    /// job already holds (a page listed again after a failure, a folder expanded again after a
    /// crash, a shortcut back up the tree) is not added twice.
    func expand(job: UUID, depth: Int, with files: [CloudFile]) async throws {
        let items = try files.map { try NewItem(file: $0, depth: depth) }
        try await store.database.transaction { db in try await Self.insert(items, job: job, on: db) }
    }

    /// How many of each job's files (folders aside) there are and how many reached a final
    /// state, counted by the database in one query rather than by loading the rows.
    func fileProgress(jobs: [UUID]) async throws -> [UUID: (total: Int, finished: Int)] {
        guard !jobs.isEmpty else { return [:] }
        let finalStates = ImportItemState.allCases.filter(\.isFinal).map(\.rawValue)
        let rows = try await store.sql.raw(
            """
            SELECT job_id, COUNT(*) AS total, COALESCE(SUM(CASE WHEN state IN (\(binds: finalStates)) THEN 1 ELSE 0 END), 0) AS finished
            FROM import_items WHERE job_id IN (\(binds: jobs)) AND (is_folder IS NULL OR is_folder = \(bind: false))
            GROUP BY job_id
            """
        ).all()
        var progress: [UUID: (total: Int, finished: Int)] = [:]
        for row in rows {
            progress[try row.decode(column: "job_id", as: UUID.self)] = (
                try row.decode(column: "total", as: Int.self), try row.decode(column: "finished", as: Int.self)
            )
        }
        return progress
    }

    /// How many items a job holds.
    func itemCount(job: UUID) async throws -> Int {
        try await ImportItem.query(on: store.database).filter(\.$job.$id == job).count()
    }

    /// Records what the lookup of an item's selected id found at the provider.
    func resolve(_ item: ImportItem, as file: CloudFile) async throws {
        item.fileJSON = String(decoding: try JSONEncoder().encode(file), as: UTF8.self)
        item.name = Self.itemName(file)
        item.isFolder = file.isFolder
        item.bytes = file.size
        try await item.save(on: store.database)
    }

    /// What an item is called in progress lists: a folder by its name, a file (or a page that is
    /// also a document) by the name of what is imported, e.g. "Plan.docx" for a Google Doc.
    static func itemName(_ file: CloudFile) -> String {
        file.isFolder && !file.isAlsoDocument ? file.name : file.contentName
    }

    /// A row to insert: what is known of a file before a worker takes it.
    struct NewItem {
        var sourceFileID: String
        var name: String
        var isFolder: Bool?
        var bytes: Int64?
        var fileJSON: String?
        var depth = 0

        init(sourceFileID: String, name: String, isFolder: Bool? = nil, bytes: Int64? = nil, fileJSON: String? = nil, depth: Int = 0) {
            (self.sourceFileID, self.name, self.isFolder, self.bytes, self.fileJSON, self.depth) = (sourceFileID, name, isFolder, bytes, fileJSON, depth)
        }

        /// A file already looked up at the provider: any worker can take it without asking again.
        init(file: CloudFile, depth: Int = 0) throws {
            self.init(
                sourceFileID: file.id, name: ImportQueue.itemName(file), isFolder: file.isFolder, bytes: file.size,
                fileJSON: String(decoding: try JSONEncoder().encode(file), as: UTF8.self), depth: depth)
        }
    }

    private static func insert(_ items: [NewItem], job: UUID, on db: any Database) async throws {
        guard !items.isEmpty, let sql = db as? any SQLDatabase else { return }
        let now = Date()
        // In slices, to stay under the engines' limit on bound parameters per statement.
        for start in stride(from: 0, to: items.count, by: 500) {
            let slice = items[start..<min(start + 500, items.count)]
            var insert = sql.insert(into: ImportItem.schema).columns(
                "id", "job_id", "source_file_id", "name", "state", "chunk_count", "attempts", "is_folder", "bytes", "file_json", "depth",
                "created_at", "updated_at")
            for (offset, item) in zip(slice.indices, slice) {
                // Creation times keep the listing's order (the queue and the progress view sort by them).
                let created = now.addingTimeInterval(Double(offset) / 1_000_000)
                insert = insert.values(
                    SQLBind(UUID()), SQLBind(job), SQLBind(item.sourceFileID), SQLBind(String(item.name.prefix(1000))),
                    SQLBind(ImportItemState.waiting.rawValue), SQLBind(0), SQLBind(0), SQLBind(item.isFolder), SQLBind(item.bytes),
                    SQLBind(item.fileJSON), SQLBind(item.depth), SQLBind(created), SQLBind(created))
            }
            try await insert.ignoringConflicts(with: ["job_id", "source_file_id"]).run()
        }
    }

    /// Takes the next item that is due, marking it `downloading` under this worker's lease.
    func claim(now: Date = Date()) async throws -> ImportItem? {
        guard let sql = store.database as? any SQLDatabase else { return nil }
        let skipLocked = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw(
            """
            UPDATE import_items SET state = \(bind: ImportItemState.downloading.rawValue), claimed_at = \(bind: now), attempts = attempts + 1, updated_at = \(bind: now)
            WHERE id = (SELECT id FROM import_items WHERE state = \(bind: ImportItemState.waiting.rawValue)
                AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now)) ORDER BY created_at, id LIMIT 1\(unsafeRaw: skipLocked))
                AND state = \(bind: ImportItemState.waiting.rawValue)
            RETURNING id
            """
        ).all()
        guard let row = rows.first, let id = try? row.decode(column: "id", as: UUID.self) else { return nil }
        return try await ImportItem.find(id, on: store.database)
    }

    /// Puts items whose worker stopped (a crash, a kill, a restart) back in the queue.
    /// - Parameter all: on start-up of the only process (SQLite), every unfinished item is orphaned.
    @discardableResult
    func requeueAbandoned(all: Bool = false, now: Date = Date()) async throws -> Int {
        var query = ImportItem.query(on: store.database).filter(\.$state ~~ Self.inProgress)
        if !all { query = query.filter(\.$claimedAt < now.addingTimeInterval(-lease)) }
        let abandoned = try await query.all()
        for item in abandoned {
            item.state = .waiting
            item.claimedAt = nil
            try await item.save(on: store.database)
        }
        return abandoned.count
    }

    /// Hands items back to the queue that this process was still working on when it stopped:
    /// waiting again, with the attempt not counted (the stop was not the file's fault).
    func release(_ ids: [UUID], now: Date = Date()) async throws {
        guard !ids.isEmpty else { return }
        try await store.sql.raw(
            """
            UPDATE import_items SET state = \(bind: ImportItemState.waiting.rawValue), claimed_at = NULL,
                reason = \(bind: "Waiting: the server stopped during the import; it resumes on the next start."),
                attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = \(bind: now)
            WHERE id IN (\(binds: ids)) AND state IN (\(binds: Self.inProgress.map(\.rawValue)))
            """
        ).run()
    }

    /// Renews an item's lease while a worker is still on it, without touching its other fields.
    func heartbeat(_ id: UUID, now: Date = Date()) async throws {
        try await store.sql.raw(
            """
            UPDATE import_items SET claimed_at = \(bind: now) WHERE id = \(bind: id) AND state IN (\(binds: Self.inProgress.map(\.rawValue)))
            """
        ).run()
    }

    /// Moves an item to the next stage and renews its lease.
    func advance(_ item: ImportItem, to state: ImportItemState) async throws {
        item.state = state
        item.claimedAt = Date()
        try await item.save(on: store.database)
    }

    /// Records a final state.
    func finish(_ item: ImportItem, _ state: ImportItemState, reason: String? = nil, chunks: Int = 0, document: UUID? = nil) async throws {
        item.state = state
        item.reason = reason.map { String($0.prefix(500)) }
        item.chunkCount = chunks
        item.$document.id = document
        item.claimedAt = nil
        item.finishedAt = Date()
        try await item.save(on: store.database)
    }

    /// Schedules another attempt after `delay`.
    func retry(_ item: ImportItem, after delay: TimeInterval, reason: String) async throws {
        item.state = .waiting
        item.reason = "Retrying: " + String(reason.prefix(300))
        item.nextAttemptAt = Date().addingTimeInterval(delay)
        item.claimedAt = nil
        try await item.save(on: store.database)
    }

    /// Running jobs none of whose items is left to do: a process that died between recording a
    /// job's last item and completing the job leaves one, and no worker would claim it again.
    func jobsLeftRunning() async throws -> [UUID] {
        try await store.sql.raw(
            """
            SELECT id FROM import_jobs WHERE status = \(bind: ImportJobStatus.running.rawValue)
                AND NOT EXISTS (SELECT 1 FROM import_items WHERE import_items.job_id = import_jobs.id AND state IN (\(binds: Self.unfinished.map(\.rawValue))))
            """
        ).all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Marks the job finished once no item is left to do; returns the job when this call finished it.
    func completeJobIfDone(_ jobID: UUID) async throws -> ImportJob? {
        let open = try await ImportItem.query(on: store.database).filter(\.$job.$id == jobID)
            .filter(\.$state ~~ Self.unfinished).count()
        guard open == 0, let sql = store.database as? any SQLDatabase else { return nil }
        let failed = try await ImportItem.query(on: store.database).filter(\.$job.$id == jobID).filter(\.$state == .failed).count()
        let status = (failed > 0 ? ImportJobStatus.completedWithErrors : .completed).rawValue
        let now = Date()
        // A conditional update, so of two workers finishing the last items only one completes the job.
        let changed = try await sql.raw(
            """
            UPDATE import_jobs SET status = \(bind: status), finished_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: jobID) AND status = \(bind: ImportJobStatus.running.rawValue) RETURNING id
            """
        ).all()
        guard !changed.isEmpty else { return nil }
        return try await ImportJob.find(jobID, on: store.database)
    }
}

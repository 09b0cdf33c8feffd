import CirrusCore
import FluentKit
import Foundation

/// Starting imports and reporting on them, always within the caller's workspace. The API and
/// the pages both go through here; neither reads import rows itself.
struct ImportService: Sendable {
    let store: Store
    let queue: ImportQueue
    let tokens: TokenManager
    let audit: Audit
    /// Keeps what an import brought in step with the provider.
    let sync: SyncService

    /// Most items one request may select.
    static let maxSelection = 5000

    /// A job and its items as one report: counts are of files (a folder's row stands for the
    /// files inside it), and the estimate comes from the pace so far.
    struct Report: Sendable {
        let job: ImportJob
        let items: [ImportItem]
        let counts: [ImportItemState: Int]
        let total: Int
        let completed: Int
        /// Seconds left; `nil` until there is a pace.
        let etaSeconds: Int?

        init(job: ImportJob, items: [ImportItem], now: Date = Date()) {
            self.job = job
            self.items = items
            let files = items.filter(\.countsAsFile)
            var counts = Dictionary(uniqueKeysWithValues: ImportItemState.allCases.map { ($0, 0) })
            for item in files { counts[item.state, default: 0] += 1 }
            self.counts = counts
            total = files.count
            completed = files.filter(\.state.isFinal).count
            if let created = job.createdAt, completed > 0, completed < total {
                let pace = now.timeIntervalSince(created) / Double(completed)
                etaSeconds = Int((pace * Double(total - completed)).rounded(.up))
            } else {
                etaSeconds = nil
            }
        }
    }

    /// Queues the selected files and folders of `platform` into `category` ("General" when
    /// blank); refuses at once when there is no connection. With `keepInSync` the selection
    /// joins the connection's synced source for that category (made when there is none), so
    /// later changes at the provider follow; without, it is a one-off copy. Returns the new job's id.
    func start(
        _ platform: Platform, fileIDs: [String], category: String?, keepInSync: Bool = false, by identity: Identity, clientAddress: String?
    ) async throws -> UUID {
        let ids = try Self.selection(fileIDs)
        let category = Self.category(category)
        // Everything after this is per-file progress.
        _ = try await tokens.connection(platform, userID: identity.userID, workspaceID: identity.workspaceID)
        let sourceID = keepInSync ? try await sync.attach(platform, roots: ids, category: category, by: identity) : nil
        let job = try await queue.enqueue(
            platform: platform, category: category, fileIDs: ids, userID: identity.userID, workspaceID: identity.workspaceID,
            syncedSourceID: sourceID)
        await audit.record(
            .importStarted, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: platform.rawValue,
            detail: "\(ids.count) item\(ids.count == 1 ? "" : "s") into \"\(category)\"\(keepInSync ? ", kept in sync" : "")", clientAddress: clientAddress)
        return try job.requireID()
    }

    /// Imports a document's file again from its provider, into the same category: a newer
    /// revision replaces the document in place; an unchanged one is reported as already imported.
    func reimport(_ documentID: UUID, by identity: Identity, clientAddress: String?) async throws -> UUID {
        guard
            let document = try await KnowledgeDocument.query(on: store.database).filter(\.$id == documentID)
                .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw DocumentError.notFound }
        let platform = document.sourcePlatform
        let connection = try await tokens.connection(platform, userID: identity.userID, workspaceID: identity.workspaceID)
        if let site = SourceKey.siteID(document.sourceFileID, platform: platform), site != connection.siteID { throw DocumentError.fromAnotherSite }
        let job = try await queue.enqueue(
            platform: platform, category: document.category, fileIDs: [SourceKey.fileID(document.sourceFileID, platform: platform)],
            userID: identity.userID, workspaceID: identity.workspaceID)
        await audit.record(
            .importStarted, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: platform.rawValue,
            detail: "Re-import of \"\(document.title)\"", clientAddress: clientAddress)
        return try job.requireID()
    }

    /// One job of the caller's workspace, with its items (two queries).
    func report(_ jobID: UUID, for identity: Identity) async throws -> Report {
        guard
            let job = try await ImportJob.query(on: store.database).filter(\.$id == jobID)
                .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw ImportError.notFound }
        return try await reports([job]).first ?? Report(job: job, items: [])
    }

    /// The workspace's newest jobs, newest first, with their items (two queries whatever the count).
    func recent(for identity: Identity, status: ImportJobStatus? = nil, limit: Int = 20) async throws -> [Report] {
        var query = ImportJob.query(on: store.database).filter(\.$workspace.$id == identity.workspaceID)
        if let status { query = query.filter(\.$status == status) }
        let jobs = try await query.sort(\.$createdAt, .descending).sort(\.$id).limit(limit).all()
        return try await reports(jobs)
    }

    /// The workspace's running jobs with how many of their files are finished (two queries).
    func running(for identity: Identity, limit: Int = 10) async throws -> [(job: ImportJob, total: Int, finished: Int)] {
        let jobs = try await ImportJob.query(on: store.database).filter(\.$workspace.$id == identity.workspaceID)
            .filter(\.$status == .running).sort(\.$createdAt, .descending).limit(limit).all()
        let progress = try await queue.fileProgress(jobs: jobs.map { try $0.requireID() })
        return try jobs.map { job in
            let counts = progress[try job.requireID()] ?? (0, 0)
            return (job, counts.total, counts.finished)
        }
    }

    private func reports(_ jobs: [ImportJob]) async throws -> [Report] {
        guard !jobs.isEmpty else { return [] }
        let items = try await ImportItem.query(on: store.database).filter(\.$job.$id ~~ jobs.map { try $0.requireID() })
            .sort(\.$createdAt).sort(\.$id).all()
        let byJob = Dictionary(grouping: items) { $0.$job.id }
        let now = Date()
        return try jobs.map { job in Report(job: job, items: byJob[try job.requireID()] ?? [], now: now) }
    }

    /// The category an import files into: trimmed, at most 100 characters, "General" when blank.
    /// The selected ids, each once and in order; refuses an empty or oversized selection.
    static func selection(_ ids: [String]) throws -> [String] {
        var seen = Set<String>()
        let ids = ids.filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !ids.isEmpty else { throw ImportError.nothingSelected }
        guard ids.count <= maxSelection else { throw ImportError.tooManyFiles }
        return ids
    }

    static func category(_ raw: String?) -> String {
        let trimmed = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "General" : String(trimmed.prefix(100))
    }
}

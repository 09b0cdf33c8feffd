import CirrusCore
import Connectors
import FluentKit
import Foundation
import SQLKit

/// One run of a synced source: reads the provider's change feed when it has one, and when
/// something there concerns the source (or a full comparison is due) lists everything under its
/// roots, compares it with the documents the source holds and applies the difference. The meaning of each change is the same on every provider:
///
/// - new in scope, or back from the trash → imported (added);
/// - content changed → imported again in place (updated);
/// - name changed, content not → title and citations updated, nothing re-embedded (renamed);
/// - parent changed inside the scope → its place and link updated (moved);
/// - deleted, trashed, moved out of scope, no longer shared → removed from the knowledge base
///   and the index at once (removed).
///
/// The documents are the record of what was synced: each keeps the revision, checksum and
/// parent it was imported or last synced with. Network I/O (the listing) happens before any
/// database work, and everything the run decides is written in one transaction — removals,
/// renames and moves, and the import job for the rest — so a run killed at any moment leaves
/// either nothing or all of it, and the next run starts from the same state. A listing that
/// does not finish removes nothing.
struct SyncRunner: Sendable {
    let deps: Dependencies
    let tokens: TokenManager
    let settings: ImportSettings
    /// A file whose import of a revision failed three times is tried again after this long
    /// (a file that fails for good is not retried on every run).
    var retryFailedAfter: TimeInterval = 3600

    /// How often a source with a change feed is compared in full anyway: the feed's net.
    var reconcileInterval: TimeInterval = 86400

    /// What a run applied, and how it decided.
    struct Result: Sendable {
        var changes = SyncChangeCounts()
        var outcome = SyncOutcome.reconciled
    }

    /// What a full comparison writes on the source besides the documents.
    private struct Bookmark {
        var cursor: FeedCursor?
        var scope: Set<String>
        var reconciled: Bool
    }

    func run(_ source: SyncedSource, now: Date = Date()) async throws -> Result {
        let sourceID = try source.requireID()
        let platform = source.platform
        let access = ProviderAccess(
            platform, userID: source.$user.id, workspaceID: source.$workspace.id, connector: try deps.connectors.connector(platform), tokens: tokens)
        let siteID = try await access.siteID()
        let feed = access.connector as? any ChangeFeedConnector
        let reconcileDue = source.reconciledAt.map { now.timeIntervalSince($0) >= reconcileInterval } ?? true
        if let feed, !reconcileDue, let stored = source.feedCursor.flatMap(FeedCursor.init(encoded:)) {
            do {
                let batch = try await access { _, session in try await feed.changes(since: stored, session: session) }
                guard try await concerns(batch, source, sourceID: sourceID) else {
                    try await Self.store(cursor: batch.cursor, on: sourceID, in: deps.store.database)
                    return Result(outcome: .feedQuiet)
                }
                let (listed, scope) = try await walk(source.roots, access: access)
                var result = try await apply(
                    listed, to: source, sourceID: sourceID, siteID: siteID, bookmark: Bookmark(cursor: batch.cursor, scope: scope, reconciled: false))
                result.outcome = .feedChanged
                return result
            } catch ConnectorError.feedReset {
                // The provider forgot the bookmark: compare in full from a fresh one.
            }
        }
        // The bookmark is taken before the listing, so a change made while it runs is read next time.
        var fresh: FeedCursor?
        if let feed { fresh = try await access { _, session in try await feed.feedCursor(roots: source.roots, session: session) } }
        let (listed, scope) = try await walk(source.roots, access: access)
        return try await apply(listed, to: source, sourceID: sourceID, siteID: siteID, bookmark: Bookmark(cursor: fresh, scope: scope, reconciled: true))
    }

    /// Whether anything the feed reports touches the source: a feed scoped to its folders
    /// always does; otherwise an item it holds, a folder it walked, or something in one of them.
    private func concerns(_ batch: FeedChanges, _ source: SyncedSource, sourceID: UUID) async throws -> Bool {
        guard !batch.items.isEmpty else { return false }
        if batch.scoped { return true }
        var known = source.scope.union(source.roots)
        let held = try await KnowledgeDocument.query(on: deps.store.database).filter(\.$syncedSourceID == sourceID)
            .field(\.$id).field(\.$sourceFileID).field(\.$sourceParentID).all()
        for document in held {
            known.insert(SourceKey.fileID(document.sourceFileID, platform: source.platform))
            if let parent = document.sourceParentID { known.insert(parent) }
        }
        return batch.items.contains { item in item.id.map(known.contains) == true || item.parentIDs.contains(where: known.contains) }
    }

    private static func store(cursor: FeedCursor?, on sourceID: UUID, in db: any Database) async throws {
        try await (db as! any SQLDatabase).raw(
            "UPDATE synced_sources SET feed_cursor = \(bind: cursor?.encoded) WHERE id = \(bind: sourceID)"
        ).run()
    }

    // MARK: Listing

    /// Every file and page under the roots, by provider id. A root that no longer resolves
    /// contributes nothing (its files are gone); any other failure ends the run with nothing
    /// applied, since a partial listing would look like deletions.
    func walk(_ roots: [String], access: ProviderAccess) async throws -> (files: [String: CloudFile], folders: Set<String>) {
        var found: [String: CloudFile] = [:]
        var folders: [(folder: CloudFile, depth: Int)] = []
        for root in roots {
            let file: CloudFile
            do {
                file = try await access { connector, session in try await connector.file(id: root, session: session) }
            } catch ConnectorError.notFound {
                continue
            }
            if file.isFolder {
                folders.append((file, 0))
                if file.isAlsoDocument { found[file.id] = file }
            } else {
                found[file.id] = file
            }
        }
        var visited = Set<String>()
        var scope = Set<String>()
        while let (folder, depth) = folders.popLast() {
            // Shortcuts and links can lead back up the tree.
            guard visited.insert(folder.id).inserted, depth < settings.maxDepth else { continue }
            var pageToken: String?
            repeat {
                let token = pageToken
                let page: FilePage
                do {
                    page = try await access { connector, session in
                        try await connector.list(folderID: folder.id, pageToken: token, query: nil, session: session)
                    }
                } catch ConnectorError.notFound where token == nil {
                    break  // the folder went away while the tree was walked
                }
                for child in page.files where child.id != folder.id {
                    // A root named by an alias (`root`, `me`) has children that name its real id.
                    if let parent = child.parentId { scope.insert(parent) }
                    if child.isFolder {
                        folders.append((child, depth + 1))
                        if child.isAlsoDocument { found[child.id] = child }
                    } else {
                        found[child.id] = child
                    }
                }
                guard found.count <= settings.maxItems else { throw SyncError.tooLarge(settings.maxItems) }
                pageToken = page.nextPageToken
            } while pageToken != nil
        }
        return (found, scope.union(visited))
    }

    // MARK: Applying

    private struct Decision {
        var imports: [CloudFile] = []
        var renamed: [(KnowledgeDocument, CloudFile)] = []
        var moved: [(KnowledgeDocument, CloudFile)] = []
        /// Documents to take over, or whose link alone changed: saved, not counted.
        var touched: [KnowledgeDocument] = []
        var removed: [KnowledgeDocument] = []
        var changes = SyncChangeCounts()
    }

    private func apply(
        _ listed: [String: CloudFile], to source: SyncedSource, sourceID: UUID, siteID: String?, bookmark: Bookmark
    ) async throws -> Result {
        let platform = source.platform
        let (documents, earlier) = try await held(listed, by: source, sourceID: sourceID, siteID: siteID)
        var byKey: [String: KnowledgeDocument] = [:]
        for document in documents { byKey[document.sourceFileID] = document }

        var decision = Decision()
        /// Files to import, and whether a document of them exists (an update) or not (an addition).
        var candidates: [(file: CloudFile, held: Bool)] = []
        var ours = Set<String>()
        for file in listed.values.sorted(by: { $0.id < $1.id }) {
            let key = SourceKey.make(platform: platform, siteID: siteID, fileID: file.id)
            // Confluence documents imported before keys named the site are stored by bare id.
            guard let document = byKey[key] ?? byKey[file.id] else {
                candidates.append((file, false))
                continue
            }
            if let owner = document.syncedSourceID, owner != sourceID { continue }  // another source keeps it
            ours.insert(document.sourceFileID)
            var changed = false
            if document.syncedSourceID == nil {
                document.syncedSourceID = sourceID
                changed = true
            }
            let revision = Self.revision(of: file)
            guard document.sourceRevision == revision || Self.onlyMetadataChanged(document, file) else {
                candidates.append((file, true))
                continue
            }
            let link = WebLink.safe(file.webViewLink)
            if document.sourceRevision != revision || document.sourceURL != link {
                (document.sourceRevision, document.sourceURL) = (revision, link)
                changed = true
            }
            if document.title != Self.title(of: file) {
                document.title = Self.title(of: file)
                document.sourceParentID = file.parentId
                decision.renamed.append((document, file))
                continue
            }
            if document.sourceParentID != file.parentId {
                // Documents imported before parents were kept have none: that is not a move.
                if document.sourceParentID != nil {
                    document.sourceParentID = file.parentId
                    decision.moved.append((document, file))
                    continue
                }
                document.sourceParentID = file.parentId
                changed = true
            }
            if changed { decision.touched.append(document) }
        }
        for document in documents where document.syncedSourceID == sourceID && !ours.contains(document.sourceFileID) {
            decision.removed.append(document)
        }
        let now = Date()
        for (file, held) in candidates where shouldQueue(file, after: earlier[file.id] ?? [], now: now) {
            // A page that is also a folder is imported as a page: the walk found its children.
            var importable = file
            if file.isAlsoDocument { importable.isFolder = false }
            decision.imports.append(importable)
            if held { decision.changes.updated += 1 } else { decision.changes.added += 1 }
        }
        decision.changes.renamed = decision.renamed.count
        decision.changes.moved = decision.moved.count
        decision.changes.removed = decision.removed.count
        return try await record(decision, source: source, sourceID: sourceID, bookmark: bookmark)
    }

    /// The workspace's documents of the source's platform, and this source's imports of the
    /// listed files that may need one, read as of one moment. Read apart, an import finishing
    /// between the two reads looks like a file whose document is behind although its import is
    /// done, and the file is queued (and counted) a second time.
    private func held(
        _ listed: [String: CloudFile], by source: SyncedSource, sourceID: UUID, siteID: String?
    ) async throws -> (documents: [KnowledgeDocument], outcomes: [String: [ItemOutcome]]) {
        let platform = source.platform
        let workspaceID = source.$workspace.id
        let engine = deps.store.engine
        return try await deps.store.database.transaction { db in
            // PostgreSQL reads each statement as of its own start unless asked otherwise; SQLite
            // (one writer, WAL) reads a transaction as of its first read.
            if engine == .postgres { try await (db as! any SQLDatabase).raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run() }
            let documents = try await KnowledgeDocument.query(on: db)
                .filter(\.$workspace.$id == workspaceID).filter(\.$sourcePlatform == platform).all()
            var revisions: [String: String?] = [:]
            for document in documents { revisions[document.sourceFileID] = document.sourceRevision }
            // Only files without a document, or whose document has another revision, may need an import.
            let maybeQueued = listed.values.filter { file in
                let key = SourceKey.make(platform: platform, siteID: siteID, fileID: file.id)
                guard let revision = revisions[key] ?? revisions[file.id] else { return true }
                return revision != Self.revision(of: file)
            }.map(\.id)
            return (documents, try await outcomes(of: sourceID, for: maybeQueued, on: db as! any SQLDatabase))
        }
    }

    private func record(_ decision: Decision, source: SyncedSource, sourceID: UUID, bookmark: Bookmark) async throws -> Result {
        let workspaceID = source.$workspace.id
        return try await deps.store.database.transaction { db in
            for document in decision.removed { try await DocumentIndexer.remove(document, on: db) }
            for document in decision.renamed.map(\.0) + decision.moved.map(\.0) + decision.touched {
                try await document.save(on: db)
                try await KnowledgeBase.recordChange(on: db, workspaceID: workspaceID, documentID: try document.requireID())
            }
            // The feed's bookmark moves with what it led to, never ahead of it.
            let scope = String(decoding: try JSONEncoder().encode(bookmark.scope.sorted()), as: UTF8.self)
            try await (db as! any SQLDatabase).raw(
                """
                UPDATE synced_sources SET feed_cursor = \(bind: bookmark.cursor?.encoded), scope_json = \(bind: scope),
                    reconciled_at = CASE WHEN \(bind: bookmark.reconciled) THEN \(bind: Date()) ELSE reconciled_at END
                WHERE id = \(bind: sourceID)
                """
            ).run()
            if !decision.imports.isEmpty {
                _ = try await ImportQueue.enqueue(
                    platform: source.platform, category: source.category, files: decision.imports, userID: source.$user.id,
                    workspaceID: workspaceID, syncedSourceID: sourceID, on: db)
            }
            return Result(changes: decision.changes)
        }
    }

    /// What became of one import of a file for this source.
    struct ItemOutcome: Sendable {
        var state: ImportItemState
        var finishedAt: Date?
        var revision: String?
        var createdAt: Date
        /// Skipped for a reason that says nothing against the file: its revision was already in
        /// the knowledge base, or it was gone at the provider when its turn came.
        var skippedHarmlessly = false
    }

    /// Every import item of this source for each file, newest first.
    private func outcomes(of sourceID: UUID, for fileIDs: [String], on sql: any SQLDatabase) async throws -> [String: [ItemOutcome]] {
        var outcomes: [String: [ItemOutcome]] = [:]
        let decoder = JSONDecoder()
        for start in stride(from: 0, to: fileIDs.count, by: 500) {
            let slice = Array(fileIDs[start..<min(start + 500, fileIDs.count)])
            let rows = try await sql.raw(
                """
                SELECT i.source_file_id, i.state, i.reason, i.finished_at, i.file_json, i.created_at FROM import_items i
                JOIN import_jobs j ON j.id = i.job_id
                WHERE j.synced_source_id = \(bind: sourceID) AND i.source_file_id IN (\(binds: slice))
                """
            ).all()
            for row in rows {
                let file = try row.decode(column: "file_json", as: String?.self).flatMap { try? decoder.decode(CloudFile.self, from: Data($0.utf8)) }
                outcomes[try row.decode(column: "source_file_id", as: String.self), default: []].append(
                    ItemOutcome(
                        state: ImportItemState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
                        finishedAt: try row.decode(column: "finished_at", as: Date?.self), revision: file.flatMap(Self.revision(of:)),
                        createdAt: try row.decode(column: "created_at", as: Date?.self) ?? .distantPast,
                        skippedHarmlessly: (try row.decode(column: "reason", as: String?.self)).map {
                            $0 == ImportProcessor.alreadyImported || $0 == ImportProcessor.goneBeforeImport
                        } ?? false))
            }
        }
        return outcomes.mapValues { $0.sorted { $0.createdAt > $1.createdAt } }
    }

    /// Whether a file needing import should be queued, given this source's earlier imports of it:
    /// not while one is queued or running; not again for a revision that was skipped (a type or
    /// size that cannot be imported); for a revision that failed, on the next runs up to three
    /// failures (the provider may have been down), then once every `retryFailedAfter`. A file
    /// whose revision was imported but whose document is gone (removed when it left the source,
    /// now back with the same revision, as a Dropbox restore is) is queued again.
    func shouldQueue(_ file: CloudFile, after outcomes: [ItemOutcome], now: Date) -> Bool {
        guard let latest = outcomes.first else { return true }
        if !latest.state.isFinal { return false }
        let revision = Self.revision(of: file)
        guard latest.revision == revision else { return true }
        switch latest.state {
        case .done: return true
        case .skipped: return latest.skippedHarmlessly
        default:
            let failures = outcomes.filter { $0.state == .failed && $0.revision == revision }.count
            if failures < 3 { return true }
            return now.timeIntervalSince(latest.finishedAt ?? .distantPast) >= retryFailedAfter
        }
    }

    /// What tells one version of a file from the next: the provider's revision, else its
    /// modification time.
    static func revision(of file: CloudFile) -> String? {
        file.revision ?? file.modifiedTime.map { String($0.timeIntervalSince1970) }
    }

    /// Whether a file's revision moved only because its name or place changed: its content
    /// checksum is the one the document was imported with. (Drive's `version` and Dropbox's
    /// `rev` move on renames too; a checksum does not.)
    static func onlyMetadataChanged(_ document: KnowledgeDocument, _ file: CloudFile) -> Bool {
        guard let stored = document.sourceChecksum, let checksum = file.checksum else { return false }
        return stored == fingerprint(checksum)
    }

    /// A checksum as stored: its kind and value.
    static func fingerprint(_ checksum: CloudFile.Checksum) -> String {
        switch checksum {
        case .md5(let value): "md5:" + value
        case .quickXor(let value): "quickxor:" + value
        case .dropbox(let value): "dropbox:" + value
        }
    }

    /// The title a file's document has (as the import gives it).
    static func title(of file: CloudFile) -> String {
        file.isAlsoDocument ? file.name : file.contentName
    }
}

/// Why a sync run could not finish, in words for the admin.
enum SyncError: UserFacingError {
    case tooLarge(Int)
    case notFound
    case invalidInterval
    case invalidDocumentsChoice

    var code: String {
        switch self {
        case .tooLarge: "source_too_large"
        case .notFound: "source_not_found"
        case .invalidInterval: "invalid_interval"
        case .invalidDocumentsChoice: "invalid_documents_choice"
        }
    }

    var safeMessage: String {
        switch self {
        case .tooLarge(let limit): "The source holds more than \(limit) items, the import limit; nothing was changed. Sync a smaller folder."
        case .notFound: "There is no such synced source."
        case .invalidInterval: "The interval must be between \(SyncSettings.minimumInterval) and \(SyncSettings.maximumInterval) seconds."
        case .invalidDocumentsChoice: "Say whether to keep or remove the source's documents: documents=keep or documents=remove."
        }
    }

    var kind: FailureKind {
        switch self {
        case .tooLarge: .conflict
        case .notFound: .notFound
        case .invalidInterval, .invalidDocumentsChoice: .badRequest
        }
    }
}

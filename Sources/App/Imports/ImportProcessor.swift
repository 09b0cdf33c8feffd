import CirrusCore
import Connectors
import Extraction
import FluentKit
import Foundation
import Knowledge
import Logging

/// Takes one claimed item through download → extract → chunk → index, and decides its end:
/// done, skipped with a reason, failed with the cause, or another attempt later.
struct ImportProcessor: Sendable {
    /// The reason of a file skipped because its revision is in the knowledge base already.
    static let alreadyImported = "Already imported (same revision)."
    /// The reason of a file a sync run queued that was gone at the provider before its turn.
    static let goneBeforeImport = "The file was removed at the provider before it was imported."

    let deps: Dependencies
    let tokens: TokenManager
    let queue: ImportQueue
    let settings: ImportSettings
    /// Which files can be read at all (known before downloading them).
    let extractors: Extractors
    /// Reads downloaded files: child processes in the server, so no file can take it down.
    let reader: any DocumentReader

    func process(_ item: ImportItem) async {
        let started = ContinuousClock.now
        do {
            guard let job = try await ImportJob.find(item.$job.id, on: deps.store.database) else { return }
            let platform = job.platform
            // Claiming counts an attempt, and an attempt that never ended means the process died
            // on it: a file that keeps killing the importer is given up rather than retried forever.
            if item.attempts > settings.maxAttempts {
                try await queue.finish(item, .failed, reason: "This file stopped the importer \(item.attempts - 1) times; it was not tried again.")
                await afterFinal(item, job: job, platform: platform, started: started)
                return
            }
            let access = ProviderAccess(
                platform, userID: job.$user.id, workspaceID: job.$workspace.id, connector: try deps.connectors.connector(platform), tokens: tokens)
            guard let file = try await selectedFile(item, job: job, access: access) else {
                try await queue.finish(item, .skipped, reason: Self.goneBeforeImport)
                await afterFinal(item, job: job, platform: platform, started: started)
                return
            }
            if file.isFolder {
                try await expand(file, item: item, job: job, access: access)
                if !file.isAlsoDocument {
                    await afterFinal(item, job: job, platform: platform, started: started)
                    return
                }
            }
            try await importFile(file, item: item, job: job, platform: platform, access: access)
            await afterFinal(item, job: job, platform: platform, started: started)
        } catch {
            await handle(error, item: item, started: started)
        }
    }

    /// The provider's record of an item: stored when a folder listing found it, looked up at the
    /// provider for what the admin selected (the job was created before asking). `nil` when a
    /// file a sync run queued is gone by the time it is imported.
    private func selectedFile(_ item: ImportItem, job: ImportJob, access: ProviderAccess) async throws -> CloudFile? {
        if let json = item.fileJSON {
            guard let stored = try? JSONDecoder().decode(CloudFile.self, from: Data(json.utf8)) else {
                throw ImportItemError.damaged
            }
            guard job.syncedSourceID != nil, (item.depth ?? 0) == 0 else { return stored }
            // A sync run queued what it saw, and wrote the change feed's bookmark with it; the
            // provider may have moved on while the item waited (renamed it, say). What is
            // imported is what is there now, so no document is older than the bookmark.
            var current: CloudFile
            do {
                current = try await access { connector, session in try await connector.file(id: stored.id, session: session) }
            } catch ConnectorError.notFound {
                return nil
            }
            // A page that is also a folder is imported as a page: the run walked its children.
            if !stored.isFolder, current.isAlsoDocument { current.isFolder = false }
            // Where it sits is the walk's view (a lookup by id may name the parent differently);
            // a move since then shows in the next run's walk.
            current.parentId = stored.parentId ?? current.parentId
            if current != stored { try await queue.resolve(item, as: current) }
            return current
        }
        let id = item.sourceFileID
        let file = try await access { connector, session in try await connector.file(id: id, session: session) }
        try await queue.resolve(item, as: file)
        return file
    }

    /// Queues everything inside a folder (subfolders become items of their own, so several
    /// workers walk a large tree together), within the job's limits on depth and size.
    private func expand(_ folder: CloudFile, item: ImportItem, job: ImportJob, access: ProviderAccess) async throws {
        let depth = (item.depth ?? 0) + 1
        if depth > settings.maxDepth {
            try await queue.finish(
                item, .skipped, reason: "The folder lies more than \(settings.maxDepth) levels below the selected folder; its contents were not imported.")
            return
        }
        let jobID = try job.requireID()
        var pageToken: String?
        var found = 0
        var leftOut = 0
        repeat {
            let token = pageToken
            let page = try await access { connector, session in
                try await connector.list(folderID: folder.id, pageToken: token, query: nil, session: session)
            }
            let children = page.files.filter { !($0.isFolder && $0.id == folder.id) }
            let room = max(0, settings.maxItems - (try await queue.itemCount(job: jobID)))
            try await queue.expand(job: jobID, depth: depth, with: Array(children.prefix(room)))
            found += min(room, children.count)
            leftOut += max(0, children.count - room)
            pageToken = page.nextPageToken
        } while pageToken != nil
        if leftOut > 0 {
            try await queue.finish(
                item, .skipped,
                reason:
                    "\(leftOut) item\(leftOut == 1 ? "" : "s") of this folder were not imported: the import reached its limit of \(settings.maxItems) items.")
        } else if !folder.isAlsoDocument {
            try await queue.finish(item, .done, reason: found == 0 ? "The folder is empty." : "Folder: \(found) item\(found == 1 ? "" : "s") queued.")
        }
    }

    private func importFile(_ file: CloudFile, item: ImportItem, job: ImportJob, platform: Platform, access: ProviderAccess) async throws {
        // Refusals known from the listing need no download.
        if let reason = file.unavailableReason {
            try await queue.finish(item, .skipped, reason: reason)
            return
        }
        if let refusal = extractors.refusal(mimeType: file.contentType, fileName: file.contentName) {
            try await queue.finish(item, .skipped, reason: refusal.reason)
            return
        }
        if let size = file.size, size > settings.maxFileBytes {
            try await queue.finish(
                item, .skipped, reason: "The file is \(size / 1_000_000) MB, over the import limit of \(settings.maxFileBytes / 1_000_000) MB.")
            return
        }
        let sourceKey = SourceKey.make(platform: platform, siteID: try await access.siteID(), fileID: file.id)
        let existing = try await DocumentIndexer.existing(
            sourceKey, fileID: file.id, platform: platform, workspaceID: job.$workspace.id, on: deps.store.database)
        if let existing, existing.status == .ready, let revision = file.revision, existing.sourceRevision == revision {
            try await queue.finish(item, .skipped, reason: Self.alreadyImported, chunks: existing.chunkCount, document: existing.id)
            return
        }

        let temporary = settings.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let downloadStart = ContinuousClock.now
        let (downloaded, siteID) = try await access { connector, session in
            (try await connector.download(file, session: session, to: temporary, maxBytes: settings.maxFileBytes), session.siteID)
        }
        deps.metrics.recordImportStage("download", platform: platform, duration: ContinuousClock.now - downloadStart)
        deps.metrics.recordImportBytes(downloaded.bytes, platform: platform)
        item.bytes = downloaded.bytes
        try await queue.advance(item, to: .extracting)

        let extractStart = ContinuousClock.now
        let document = try await reader.read(fileAt: temporary.path, mimeType: downloaded.mimeType, fileName: downloaded.fileName)
        let chunker = deps.knowledge.chunker
        let chunks = try await onWorkerThread { chunker.chunk(document) }
        deps.metrics.recordImportStage("extract", platform: platform, duration: ContinuousClock.now - extractStart)
        try await queue.advance(item, to: .indexing)

        let title = file.isAlsoDocument ? file.name : file.contentName
        let embedStart = ContinuousClock.now
        let vectors = try await deps.knowledge.embed(
            title: title, chunks: chunks.map { ($0.headingLabel, $0.text) })
        deps.metrics.recordImportStage("embed", platform: platform, duration: ContinuousClock.now - embedStart)

        let indexStart = ContinuousClock.now
        try await DocumentIndexer(store: deps.store).save(
            file: file, sourceKey: SourceKey.make(platform: platform, siteID: siteID, fileID: file.id), downloaded: downloaded, title: title,
            platform: platform, job: job, chunks: chunks,
            vectors: vectors, embeddingModel: vectors == nil ? nil : deps.knowledge.embedderIdentity, ocr: document.ocr, item: item)
        deps.metrics.recordImportStage("index", platform: platform, duration: ContinuousClock.now - indexStart)
    }

    private func handle(_ error: any Error, item: ImportItem, started: ContinuousClock.Instant) async {
        do {
            if Task.isCancelled {
                // Shutting down: whatever the interrupted call threw, the item goes back to the
                // queue for the next start, the attempt not counted.
                try await queue.release([item.requireID()])
                return
            }
            switch error {
            case let error as ExtractionError:
                try await queue.finish(item, error.isSkip ? .skipped : .failed, reason: error.reason)
            case let error as ConnectorError where error.isTransient && item.attempts < settings.maxAttempts:
                try await queue.retry(item, after: settings.backoff(attempt: item.attempts), reason: error.safeMessage)
            case let error as ConnectorError:
                if let detail = error.providerDetail {
                    deps.logger.notice(
                        "import item refused by the provider",
                        metadata: ["item": "\(item.id?.uuidString ?? "")", "code": "\(error.code)", "provider.detail": "\(detail.prefix(300))"])
                }
                try await queue.finish(item, .failed, reason: error.safeMessage)
            case let error as IntegrationError:
                try await queue.finish(item, .failed, reason: error.safeMessage)
            case let error as EmbedderError where item.attempts < settings.maxAttempts:
                try await queue.retry(item, after: settings.backoff(attempt: item.attempts), reason: error.description)
            case let error as EmbedderError:
                try await queue.finish(item, .failed, reason: "Could not embed the text: \(error)")
            case ImportItemError.damaged:
                try await queue.finish(item, .failed, reason: "The import item is damaged (no file record).")
            default:
                if item.attempts < settings.maxAttempts {
                    try await queue.retry(item, after: settings.backoff(attempt: item.attempts), reason: "An unexpected error occurred.")
                } else {
                    deps.logger.error("import item failed", metadata: ["item": "\(item.id?.uuidString ?? "")", "error": "\(type(of: error))"])
                    try await queue.finish(item, .failed, reason: "An unexpected error occurred while importing this file.")
                }
            }
            if let job = try? await ImportJob.find(item.$job.id, on: deps.store.database), item.state.isFinal {
                await afterFinal(item, job: job, platform: job.platform, started: started)
            }
        } catch {
            deps.logger.error("could not record an import item's state", metadata: ["error": "\(type(of: error))"])
        }
    }

    private func afterFinal(_ item: ImportItem, job: ImportJob, platform: Platform, started: ContinuousClock.Instant) async {
        if item.isFolder != true || item.state != .done {
            deps.metrics.recordImportedFile(state: item.state, platform: platform)
        }
        // Per file, from the worker taking it to its final state: the average import time is
        // `rate(…_sum) / rate(…_count)`. A retried file counts its last attempt only.
        if item.isFolder != true {
            deps.metrics.recordImportFileDuration(ContinuousClock.now - started, state: item.state, platform: platform)
        }
        guard let jobID = job.id else { return }
        await completeIfDone(jobID)
    }

    /// Completes a job none of whose items is left to do: after each final item, and for jobs a
    /// stopped process left running with every item at its end.
    func completeIfDone(_ jobID: UUID) async {
        guard let finished = try? await queue.completeJobIfDone(jobID) else { return }
        if let sourceID = finished.syncedSourceID {
            // What the job imported was looked up while the provider kept changing, after the
            // feed's bookmark had moved on (a file trashed or moved out while it waited): the
            // source's next run compares in full.
            do {
                try await SyncSchedule.requestFullComparison(sourceID, in: deps.store)
            } catch {
                deps.logger.warning("could not ask for a sync run after an import", metadata: ["error": "\(type(of: error))"])
            }
        }
        let items = (try? await ImportItem.query(on: deps.store.database).filter(\.$job.$id == jobID).all()) ?? []
        let files = items.filter(\.countsAsFile)
        let detail =
            "\(files.filter { $0.state == .done }.count) done, \(files.filter { $0.state == .skipped }.count) skipped, \(files.filter { $0.state == .failed }.count) failed"
        await deps.audit.record(
            .importFinished, workspaceID: finished.$workspace.id, actorID: finished.$user.id, actorEmail: nil, platform: finished.platform.rawValue,
            detail: "Import into \"\(finished.category)\": \(detail)", clientAddress: nil)
        let failed = files.filter { $0.state == .failed }.count
        if failed > 0 {
            await deps.notifications.notify(
                .importFailed, userID: finished.$user.id, workspaceID: finished.$workspace.id, subject: "import:\(jobID)",
                title: "Import into \u{201C}\(finished.category)\u{201D} ended with \(failed) failed file\(failed == 1 ? "" : "s")",
                body: "From \(finished.platform.displayName): \(detail). Each failed file shows its cause on the import.", link: .documentsPage)
        }
    }
}

/// Why an item cannot be worked on, whatever the provider says.
enum ImportItemError: Error {
    /// Its stored file record does not decode.
    case damaged
}

/// How imports behave; from configuration.
struct ImportSettings: Sendable {
    var maxFileBytes: Int64 = 100 * 1_000_000
    var maxAttempts: Int = 6
    /// Most items (files and folders) one job may hold.
    var maxItems: Int = 50_000
    /// Deepest folder level below the selection that is walked.
    var maxDepth: Int = 64
    var temporaryDirectory: URL = FileManager.default.temporaryDirectory
    /// Base of the exponential backoff between attempts.
    var retryBase: TimeInterval = 1

    /// The wait before an item's next attempt: the shared ``RetryPolicy``, capped at five
    /// minutes, never less than half its ceiling (an item waits in the queue, not in a loop).
    func backoff(attempt: Int) -> TimeInterval {
        let policy = RetryPolicy(maxAttempts: Int.max, baseDelay: .milliseconds(Int64(retryBase * 1000)), maxDelay: .seconds(300))
        let wait = policy.delay(afterAttempt: max(1, attempt), random: .random(in: 0.5..<1)) ?? .seconds(300)
        return Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
    }
}

extension AppConfig {
    var importSettings: ImportSettings {
        ImportSettings(
            maxFileBytes: Int64(importMaxFileMB) * 1_000_000, maxAttempts: 6, maxItems: importMaxItems, maxDepth: importMaxDepth,
            temporaryDirectory: FileManager.default.temporaryDirectory, retryBase: importRetryBaseSeconds)
    }
}

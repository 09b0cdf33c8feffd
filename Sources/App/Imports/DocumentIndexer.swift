import CirrusCore
import Connectors
import Extraction
import FluentKit
import Foundation
import Knowledge

/// Writes an imported file into the knowledge base: one document per provider file (a newer
/// revision replaces the old one in place, chunks and all), and marks the import item done, in
/// one transaction — so a process killed at any moment leaves either nothing or both, and a
/// file is never imported twice nor reported "already imported" by the job that imported it.
struct DocumentIndexer: Sendable {
    let store: Store

    /// The workspace's document for a source file: by its ``SourceKey``, else (Confluence) by
    /// the bare id a document imported before keys named the site was stored under.
    static func existing(_ sourceKey: String, fileID: String, platform: Platform, workspaceID: UUID, on db: any Database) async throws -> KnowledgeDocument? {
        let candidates = try await KnowledgeDocument.query(on: db)
            .filter(\.$workspace.$id == workspaceID).filter(\.$sourcePlatform == platform)
            .filter(\.$sourceFileID ~~ Array(Set([sourceKey, fileID]))).all()
        return candidates.first { $0.sourceFileID == sourceKey } ?? candidates.first
    }

    /// Removes a document and its passages on `db` (the caller's transaction), and records the
    /// change so every index drops it at once.
    static func remove(_ document: KnowledgeDocument, on db: any Database) async throws {
        let id = try document.requireID()
        try await KnowledgeChunk.query(on: db).filter(\.$document.$id == id).delete()
        try await document.delete(on: db)
        try await KnowledgeBase.recordChange(on: db, workspaceID: document.$workspace.id, documentID: id)
    }

    func save(
        file: CloudFile, sourceKey: String, downloaded: DownloadedFile, title: String, platform: Platform, job: ImportJob, chunks: [Chunk],
        vectors: [[Float]]?, embeddingModel: String?, ocr: OCRSummary?, item: ImportItem
    ) async throws {
        try await store.database.transaction { db in
            let document =
                try await Self.existing(sourceKey, fileID: file.id, platform: platform, workspaceID: job.$workspace.id, on: db) ?? KnowledgeDocument()
            if let id = document.id {
                try await KnowledgeChunk.query(on: db).filter(\.$document.$id == id).delete()
            }
            document.$workspace.id = job.$workspace.id
            document.title = title
            document.sourcePlatform = platform
            document.sourceFileID = sourceKey
            document.sourceURL = WebLink.safe(file.webViewLink)
            document.sourceRevision = file.revision
            document.category = job.category
            document.mimeType = downloaded.mimeType
            document.sizeBytes = downloaded.bytes
            document.status = .ready
            document.chunkCount = chunks.count
            document.$importedBy.id = job.$user.id
            document.embeddingModel = embeddingModel
            // A one-off import of a synced file leaves it with its source.
            document.syncedSourceID = job.syncedSourceID ?? document.syncedSourceID
            document.sourceChecksum = file.checksum.map(SyncRunner.fingerprint)
            document.sourceParentID = file.parentId
            document.ocrPages = ocr?.pages
            document.ocrConfidence = ocr?.meanConfidence
            try await document.save(on: db)
            let documentID = try document.requireID()
            for (index, chunk) in chunks.enumerated() {
                let row = KnowledgeChunk()
                row.$document.id = documentID
                row.$workspace.id = job.$workspace.id
                row.ordinal = chunk.ordinal
                row.text = chunk.text
                row.headingPath = chunk.headingLabel
                row.location = chunk.location.label
                row.embedding = vectors.map { VectorCoding.encode($0[index]) }
                try await row.create(on: db)
            }
            try await KnowledgeBase.recordChange(on: db, workspaceID: job.$workspace.id, documentID: documentID)
            item.state = .done
            item.reason = nil
            item.chunkCount = chunks.count
            item.$document.id = documentID
            item.claimedAt = nil
            item.finishedAt = Date()
            try await item.save(on: db)
        }
    }
}

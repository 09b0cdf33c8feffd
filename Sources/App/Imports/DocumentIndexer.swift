import CirrusCore
import Connectors
import FluentKit
import Foundation
import Knowledge

/// Writes an imported file into the knowledge base: one document per provider file (a newer
/// revision replaces the old one in place, chunks and all), and marks the import item done, in
/// one transaction — so a process killed at any moment leaves either nothing or both, and a
/// file is never imported twice nor reported "already imported" by the job that imported it.
struct DocumentIndexer: Sendable {
    let store: Store

    func save(file: CloudFile, downloaded: DownloadedFile, title: String, platform: Platform, job: ImportJob, chunks: [Chunk], vectors: [[Float]]?, embeddingModel: String?, item: ImportItem) async throws {
        try await store.database.transaction { db in
            let document = try await KnowledgeDocument.query(on: db)
                .filter(\.$workspace.$id == job.$workspace.id).filter(\.$sourcePlatform == platform.rawValue)
                .filter(\.$sourceFileID == file.id).first() ?? KnowledgeDocument()
            if let id = document.id {
                try await KnowledgeChunk.query(on: db).filter(\.$document.$id == id).delete()
            }
            document.$workspace.id = job.$workspace.id
            document.title = title
            document.sourcePlatform = platform.rawValue
            document.sourceFileID = file.id
            document.sourceURL = file.webViewLink
            document.sourceRevision = file.revision
            document.category = job.category
            document.mimeType = downloaded.mimeType
            document.sizeBytes = downloaded.bytes
            document.status = "ready"
            document.chunkCount = chunks.count
            document.$importedBy.id = job.$user.id
            document.embeddingModel = embeddingModel
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
            item.state = ImportItemState.done.rawValue
            item.reason = nil
            item.chunkCount = chunks.count
            item.$document.id = documentID
            item.claimedAt = nil
            item.finishedAt = Date()
            try await item.save(on: db)
        }
    }
}

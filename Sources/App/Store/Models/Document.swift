import CirrusCore
import FluentKit
import Foundation

/// A file or page in a workspace's knowledge base.
final class KnowledgeDocument: Model, @unchecked Sendable {
    static let schema = "documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "title") var title: String
    @Field(key: "source_platform") var sourcePlatform: Platform
    @Field(key: "source_file_id") var sourceFileID: String
    @OptionalField(key: "source_url") var sourceURL: String?
    @OptionalField(key: "source_revision") var sourceRevision: String?
    @Field(key: "category") var category: String
    @OptionalField(key: "mime_type") var mimeType: String?
    @Field(key: "size_bytes") var sizeBytes: Int64
    @Field(key: "status") var status: DocumentStatus
    @Field(key: "chunk_count") var chunkCount: Int
    @OptionalParent(key: "imported_by") var importedBy: User?
    /// The embedder that made the chunks' vectors (``Embedder/identity``); nil before any.
    @OptionalField(key: "embedding_model") var embeddingModel: String?
    /// The synced source that keeps this document in step with its file; `nil` for a one-off import.
    @OptionalField(key: "synced_source_id") var syncedSourceID: UUID?
    /// The provider's checksum of the imported content (``SyncRunner/fingerprint(_:)``), when it has one.
    @OptionalField(key: "source_checksum") var sourceChecksum: String?
    /// The folder the file was in when last synced or imported.
    @OptionalField(key: "source_parent_id") var sourceParentID: String?
    /// Pages whose text OCR recognized, and its mean confidence (0–100); `nil` when none was.
    @OptionalField(key: "ocr_pages") var ocrPages: Int?
    @OptionalField(key: "ocr_confidence") var ocrConfidence: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// Whether a document can be searched. Stored as the raw value.
enum DocumentStatus: String, Codable, Sendable {
    /// Its chunks are written and indexed.
    case ready

    /// How pages show it.
    var label: String {
        switch self {
        case .ready: "Ready"
        }
    }
}

/// A passage of a document, the unit that is embedded, searched and cited.
final class KnowledgeChunk: Model, @unchecked Sendable {
    static let schema = "chunks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "document_id") var document: KnowledgeDocument
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "ordinal") var ordinal: Int
    @Field(key: "text") var text: String
    @Field(key: "heading_path") var headingPath: String
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "embedding") var embedding: Data?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// One entry of the knowledge base's change sequence: a document was written or deleted.
/// Readers reload the document (or drop it when it is gone), so the kind of change need not be kept.
final class KnowledgeChange: Model, @unchecked Sendable {
    static let schema = "knowledge_changes"

    @ID(custom: "id", generatedBy: .database) var id: Int64?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "document_id") var documentID: UUID
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(workspaceID: UUID, documentID: UUID) {
        self.workspaceID = workspaceID
        self.documentID = documentID
    }
}

import CirrusCore
import FluentKit
import Foundation

/// A batch of files an admin asked to import from one provider with one category.
final class ImportJob: Model, @unchecked Sendable {
    static let schema = "import_jobs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Parent(key: "user_id") var user: User
    @Field(key: "platform") var platform: Platform
    @Field(key: "category") var category: String
    @Field(key: "status") var status: ImportJobStatus
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// The synced source the job imports for (its first import, or a sync run's changes).
    @OptionalField(key: "synced_source_id") var syncedSourceID: UUID?

    init() {}
}

/// One file of an import job, with the state it ends in: done, skipped (with a reason) or failed (with the cause).
final class ImportItem: Model, @unchecked Sendable {
    static let schema = "import_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: ImportJob
    @Field(key: "source_file_id") var sourceFileID: String
    @Field(key: "name") var name: String
    @Field(key: "state") var state: ImportItemState
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "chunk_count") var chunkCount: Int
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @OptionalParent(key: "document_id") var document: KnowledgeDocument?
    /// The provider's record of the file (a JSON ``CloudFile``), so any worker can fetch it.
    @OptionalField(key: "file_json") var fileJSON: String?
    /// When a worker took the item; a stale claim means the worker died and another takes over.
    @OptionalField(key: "claimed_at") var claimedAt: Date?
    @OptionalField(key: "bytes") var bytes: Int64?
    @OptionalField(key: "is_folder") var isFolder: Bool?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    /// Folder levels below the selected item (0 for what the admin selected).
    @OptionalField(key: "depth") var depth: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// Whether the item counts as a file in a job's progress: a folder's row stands for the files
    /// inside it, and counts only when it is also a document or did not get its files queued.
    var countsAsFile: Bool {
        isFolder != true || state == .failed || state == .skipped || chunkCount > 0
    }
}

/// Where an import item is; the last three are final. Stored as the raw value.
enum ImportItemState: String, Codable, Sendable, CaseIterable {
    case waiting, downloading, extracting, indexing, done, skipped, failed

    var isFinal: Bool { self == .done || self == .skipped || self == .failed }
}

/// Where a job is. Stored as the raw value.
enum ImportJobStatus: String, Codable, Sendable {
    case running, completed
    case completedWithErrors = "completed_with_errors"
}

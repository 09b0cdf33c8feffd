import FluentKit
import Foundation

/// A batch of files an admin asked to import from one provider with one category.
final class ImportJob: Model, @unchecked Sendable {
    static let schema = "import_jobs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Parent(key: "user_id") var user: User
    @Field(key: "platform") var platform: String
    @Field(key: "category") var category: String
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}
}

/// One file of an import job, with the state it ends in: done, skipped (with a reason) or failed (with the cause).
final class ImportItem: Model, @unchecked Sendable {
    static let schema = "import_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "job_id") var job: ImportJob
    @Field(key: "source_file_id") var sourceFileID: String
    @Field(key: "name") var name: String
    @Field(key: "state") var state: String
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "chunk_count") var chunkCount: Int
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @OptionalParent(key: "document_id") var document: KnowledgeDocument?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

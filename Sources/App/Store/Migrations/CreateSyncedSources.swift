import FluentKit

/// Synced sources, and which source a document and an import job belong to.
struct CreateSyncedSources: AsyncMigration {
    var name: String { "CreateSyncedSources" }

    /// A document's source, and what a sync compares with the provider's file besides its
    /// revision: the content checksum (a rename moves Drive's and Dropbox's revision, not the
    /// checksum) and the parent (a move within the source).
    static let documentColumns: [(FieldKey, DatabaseSchema.DataType)] = [
        ("synced_source_id", .uuid), ("source_checksum", .string), ("source_parent_id", .string),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("synced_sources")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("platform", .string, .required)
            .field("roots_json", .string, .required)
            .field("category", .string, .required)
            .field("enabled", .bool, .required)
            .field("interval_seconds", .int, .required)
            .field("next_run_at", .datetime, .required)
            .field("last_run_at", .datetime)
            .field("last_error", .string)
            .field("last_outcome", .string)
            .field("last_changes_json", .string)
            .field("total_changes_json", .string)
            .field("claim", .string)
            .field("claimed_at", .datetime)
            .field("requested_at", .datetime)
            .field("feed_cursor", .string)
            .field("scope_json", .string)
            .field("reconciled_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.createIndex("idx_synced_sources_due", on: "synced_sources", columns: "enabled", "next_run_at")
        // Plain columns, no foreign keys: SQLite cannot add a constraint to an existing table,
        // and a source's removal clears them itself.
        try await database.addColumns(Self.documentColumns, to: "documents")
        try await database.addColumns([("synced_source_id", .uuid)], to: "import_jobs")
        try await database.createIndex("idx_documents_synced_source", on: "documents", columns: "synced_source_id")
        try await database.createIndex("idx_import_jobs_synced_source", on: "import_jobs", columns: "synced_source_id")
    }

    func revert(on database: any Database) async throws {
        try await database.dropColumns([("synced_source_id", .uuid)], from: "import_jobs")
        try await database.dropColumns(Self.documentColumns, from: "documents")
        try await database.schema("synced_sources").delete()
    }
}

import FluentKit

struct CreateImportJobs: AsyncMigration {
    var name: String { "CreateImportJobs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("import_jobs")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("platform", .string, .required)
            .field("category", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("finished_at", .datetime)
            .create()
        try await database.createIndex("idx_import_jobs_workspace_id", on: "import_jobs", columns: "workspace_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("import_jobs").delete()
    }
}

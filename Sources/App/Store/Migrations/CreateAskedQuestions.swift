import FluentKit

/// The log of questions asked, by workspace and time, for Insights.
struct CreateAskedQuestions: AsyncMigration {
    var name: String { "CreateAskedQuestions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("asked_questions")
            .id()
            .field("workspace_id", .uuid, .required, .references("workspaces", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("question", .string, .required)
            .field("answered", .bool, .required)
            .field("declined_code", .string)
            .field("created_at", .datetime)
            .create()
        try await database.createIndex("idx_asked_questions_workspace_created", on: "asked_questions", columns: "workspace_id", "created_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("asked_questions").delete()
    }
}

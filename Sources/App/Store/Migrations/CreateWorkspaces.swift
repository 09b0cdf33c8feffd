import FluentKit

struct CreateWorkspaces: AsyncMigration {
    var name: String { "CreateWorkspaces" }

    func prepare(on database: any Database) async throws {
        try await database.schema("workspaces")
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("workspaces").delete()
    }
}

import FluentKit

/// Which embedder made a document's vectors, so a change of embedder is noticed and the
/// knowledge base re-embedded in the background.
struct AddEmbeddingModelToDocuments: AsyncMigration {
    var name: String { "AddEmbeddingModelToDocuments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("documents").field("embedding_model", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("documents").deleteField("embedding_model").update()
    }
}

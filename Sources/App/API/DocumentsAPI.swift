import CirrusCore
import FluentKit
import Foundation
import Hummingbird

/// `/api/v1/documents`: the workspace's knowledge base — list (filter by source and category),
/// one document, delete.
struct DocumentsAPI {
    let deps: Dependencies

    struct DocumentDTO: ResponseEncodable {
        let id: UUID
        let title: String
        let sourceType: String
        let sourceName: String
        let sourceFileId: String
        let url: String?
        let category: String
        let chunkCount: Int
        let sizeBytes: Int64
        let mimeType: String?
        let status: String
        let importedAt: Date?
        let updatedAt: Date?

        init(_ document: KnowledgeDocument) {
            id = document.id ?? UUID()
            title = document.title
            sourceType = document.sourcePlatform
            sourceName = Platform(rawValue: document.sourcePlatform)?.displayName ?? document.sourcePlatform
            sourceFileId = Platform(rawValue: document.sourcePlatform).map { SourceKey.fileID(document.sourceFileID, platform: $0) } ?? document.sourceFileID
            url = WebLink.safe(document.sourceURL)
            category = document.category
            chunkCount = document.chunkCount
            sizeBytes = document.sizeBytes
            mimeType = document.mimeType
            status = document.status
            importedAt = document.createdAt
            updatedAt = document.updatedAt
        }
    }

    struct ListResponse: ResponseEncodable {
        let documents: [DocumentDTO]
        let categories: [String]
    }

    struct DeleteResponse: ResponseEncodable {
        let success: Bool
        let message: String
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("documents") { request, context -> ListResponse in
            let identity = try context.requireIdentity()
            let query = request.uri.queryParameters
            // Pages of the newest first: `limit` (1 to 1,000, default 1,000) after `offset`.
            let limit = query["limit"].flatMap { Int($0) }.map { min(max($0, 1), 1000) } ?? 1000
            let offset = query["offset"].flatMap { Int($0) }.map { max($0, 0) } ?? 0
            let documents = try await Self.list(
                deps.store.database, workspace: identity.workspaceID, source: query["source"].map(String.init), category: query["category"].map(String.init),
                limit: limit, offset: offset)
            let categories = try await Self.categories(deps.store.database, workspace: identity.workspaceID)
            return ListResponse(documents: documents.map(DocumentDTO.init), categories: categories)
        }
        group.get("documents/:id") { _, context -> DocumentDTO in
            let identity = try context.requireIdentity()
            return DocumentDTO(try await find(context, identity: identity))
        }
        group.delete("documents/:id") { _, context -> DeleteResponse in
            let identity = try context.requireIdentity()
            guard identity.canAdminister else { throw AuthError.forbidden }
            let document = try await find(context, identity: identity)
            let title = try await delete(try document.requireID(), identity: identity, clientAddress: context.clientAddress)
            return DeleteResponse(success: true, message: "\"\(title)\" was removed from the knowledge base.")
        }
    }

    /// Removes a document and its chunks from the caller's workspace; returns its title.
    func delete(_ id: UUID, identity: Identity, clientAddress: String?) async throws -> String {
        guard let document = try await KnowledgeDocument.query(on: deps.store.database).filter(\.$id == id)
            .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw DocumentError.notFound }
        try await deps.store.database.transaction { db in
            try await KnowledgeChunk.query(on: db).filter(\.$document.$id == id).delete()
            try await document.delete(on: db)
            try await KnowledgeBase.recordChange(on: db, workspaceID: identity.workspaceID, documentID: id)
        }
        await deps.audit.record(
            .documentDeleted, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            platform: document.sourcePlatform, detail: document.title, clientAddress: clientAddress)
        return document.title
    }

    static func documentID(_ context: AppRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw DocumentError.notFound }
        return id
    }

    private func find(_ context: AppRequestContext, identity: Identity) async throws -> KnowledgeDocument {
        guard let id = try? Self.documentID(context),
            let document = try await KnowledgeDocument.query(on: deps.store.database).filter(\.$id == id)
                .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw DocumentError.notFound }
        return document
    }

    static func list(
        _ db: any Database, workspace: UUID, source: String?, category: String?, limit: Int = 1000, offset: Int = 0
    ) async throws -> [KnowledgeDocument] {
        var query = KnowledgeDocument.query(on: db).filter(\.$workspace.$id == workspace)
        if let source, !source.isEmpty { query = query.filter(\.$sourcePlatform == source) }
        if let category, !category.isEmpty { query = query.filter(\.$category == category) }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).range(offset..<(offset + limit)).all()
    }

    static func categories(_ db: any Database, workspace: UUID) async throws -> [String] {
        try await KnowledgeDocument.query(on: db).filter(\.$workspace.$id == workspace).unique().all(\.$category).sorted()
    }
}

enum DocumentError: UserFacingError {
    case notFound
    /// The document came from a Confluence site other than the one the connection reads now.
    case fromAnotherSite

    var code: String {
        switch self {
        case .notFound: "document_not_found"
        case .fromAnotherSite: "document_from_another_site"
        }
    }

    var safeMessage: String {
        switch self {
        case .notFound: "There is no such document."
        case .fromAnotherSite: "This page comes from another Confluence site than the one your connection reads. Choose that site on the Integrations page to re-import it."
        }
    }

    var kind: FailureKind {
        switch self {
        case .notFound: .notFound
        case .fromAnotherSite: .conflict
        }
    }
}

import CirrusCore
import FluentKit
import Foundation

/// The workspace's knowledge base as documents: list, look up, count and remove, always within
/// the caller's workspace. The API and the pages both go through here.
struct DocumentService: Sendable {
    let store: Store
    let audit: Audit

    /// Which documents a list shows; blank filters mean all.
    struct Filter: Sendable {
        var source: String?
        var category: String?
    }

    /// A page of the newest documents first.
    func list(in workspaceID: UUID, filter: Filter = .init(), limit: Int = 1000, offset: Int = 0) async throws -> [KnowledgeDocument] {
        var query = KnowledgeDocument.query(on: store.database).filter(\.$workspace.$id == workspaceID)
        if let source = filter.source, !source.isEmpty {
            // A source that names no platform matches nothing, as any other unknown value would.
            guard let platform = Platform(rawValue: source) else { return [] }
            query = query.filter(\.$sourcePlatform == platform)
        }
        if let category = filter.category, !category.isEmpty { query = query.filter(\.$category == category) }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).range(offset..<(offset + limit)).all()
    }

    /// The categories in use, sorted.
    func categories(in workspaceID: UUID) async throws -> [String] {
        try await KnowledgeDocument.query(on: store.database).filter(\.$workspace.$id == workspaceID).unique().all(\.$category).sorted()
    }

    /// How many documents the workspace holds.
    func documentCount(in workspaceID: UUID) async throws -> Int {
        try await KnowledgeDocument.query(on: store.database).filter(\.$workspace.$id == workspaceID).count()
    }

    /// How many documents and passages the workspace holds.
    func counts(in workspaceID: UUID) async throws -> (documents: Int, chunks: Int) {
        let database = store.database
        return (
            try await documentCount(in: workspaceID),
            try await KnowledgeChunk.query(on: database).filter(\.$workspace.$id == workspaceID).count()
        )
    }

    /// One document of the workspace, or ``DocumentError/notFound``.
    func find(_ id: UUID, in workspaceID: UUID) async throws -> KnowledgeDocument {
        guard
            let document = try await KnowledgeDocument.query(on: store.database).filter(\.$id == id)
                .filter(\.$workspace.$id == workspaceID).first()
        else { throw DocumentError.notFound }
        return document
    }

    /// Removes a document and its chunks from the caller's workspace; returns its title.
    func delete(_ id: UUID, by identity: Identity, clientAddress: String?) async throws -> String {
        let document = try await find(id, in: identity.workspaceID)
        try await store.database.transaction { db in try await DocumentIndexer.remove(document, on: db) }
        await audit.record(
            .documentDeleted, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            platform: document.sourcePlatform.rawValue, detail: document.title, clientAddress: clientAddress)
        return document.title
    }
}

/// Failures of document requests, in words for the person who made them.
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
        case .fromAnotherSite:
            "This page comes from another Confluence site than the one your connection reads. Choose that site on the Integrations page to re-import it."
        }
    }

    var kind: FailureKind {
        switch self {
        case .notFound: .notFound
        case .fromAnotherSite: .conflict
        }
    }
}

import CirrusCore
import Foundation
import Hummingbird

/// `/api/v1/documents`: the workspace's knowledge base — list (filter by source and category),
/// one document, delete.
struct DocumentsAPI {
    let documents: DocumentService

    struct DocumentDTO: ResponseEncodable, Decodable {
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
        let status: DocumentStatus
        /// The provider's revision of the file the document holds.
        let revision: String?
        let importedAt: Date?
        let updatedAt: Date?
        /// Pages whose text OCR recognized, and Tesseract's mean confidence (0–100); absent for text read from the file.
        let ocrPages: Int?
        let ocrConfidence: Int?

        init(_ document: KnowledgeDocument) {
            id = document.id ?? UUID()
            title = document.title
            sourceType = document.sourcePlatform.rawValue
            sourceName = document.sourcePlatform.displayName
            sourceFileId = SourceKey.fileID(document.sourceFileID, platform: document.sourcePlatform)
            url = WebLink.safe(document.sourceURL)
            category = document.category
            chunkCount = document.chunkCount
            sizeBytes = document.sizeBytes
            mimeType = document.mimeType
            status = document.status
            revision = document.sourceRevision
            importedAt = document.createdAt
            updatedAt = document.updatedAt
            ocrPages = document.ocrPages
            ocrConfidence = document.ocrConfidence
        }
    }

    struct ListResponse: ResponseEncodable, Decodable {
        let documents: [DocumentDTO]
        let categories: [String]
    }

    struct DeleteResponse: ResponseEncodable {
        let success: Bool
        let message: String
    }

    func addRoutes(signedIn: RouterGroup<SignedInContext>, admin: RouterGroup<AdminContext>) {
        signedIn.get(SiteRoute.documents.pattern) { request, context -> ListResponse in
            let workspace = context.identity.workspaceID
            let query = request.uri.queryParameters
            // Pages of the newest first: `limit` (1 to 1,000, default 1,000) after `offset`.
            let limit = query["limit"].flatMap { Int($0) }.map { min(max($0, 1), 1000) } ?? 1000
            let offset = query["offset"].flatMap { Int($0) }.map { max($0, 0) } ?? 0
            let filter = DocumentService.Filter(source: query["source"].map(String.init), category: query["category"].map(String.init))
            let list = try await documents.list(in: workspace, filter: filter, limit: limit, offset: offset)
            return ListResponse(documents: list.map(DocumentDTO.init), categories: try await documents.categories(in: workspace))
        }
        signedIn.get(SiteRoute.document(nil).pattern) { _, context -> DocumentDTO in
            DocumentDTO(try await documents.find(try context.idParameter(orThrow: DocumentError.notFound), in: context.identity.workspaceID))
        }
        admin.delete(SiteRoute.document(nil).pattern) { _, context -> DeleteResponse in
            let title = try await documents.delete(
                try context.idParameter(orThrow: DocumentError.notFound), by: context.identity, clientAddress: context.clientAddress)
            return DeleteResponse(success: true, message: "\"\(title)\" was removed from the knowledge base.")
        }
    }
}

import CirrusCore
import Connectors
import Extraction
import FluentKit
import Foundation
import Hummingbird

/// `GET /api/v1/integrations/{platform}/files`: the file browser's listing, in the seed's
/// `CloudFile` shape plus paging, breadcrumbs and whether each item can be imported.
struct FilesAPI {
    let store: Store
    let connectors: ConnectorRegistry
    let tokens: TokenManager
    /// Files larger than this are listed as not importable.
    let maxFileBytes: Int64
    let extractors = Extractors()

    /// The seed's `CloudFile`, with what the picker needs to show disabled rows and exports.
    struct CloudFileDTO: Encodable {
        let id: String
        let name: String
        let mimeType: String
        let size: Int64?
        let modifiedTime: Date?
        let webViewLink: String?
        let isFolder: Bool
        let parentId: String?
        let importable: Bool
        /// Why the item cannot be imported, when it cannot.
        let reason: String?
        /// The format a provider-native document is imported as ("docx" for a Google Doc).
        let exportFormat: String?
        /// A folder that is also a document (a Confluence page with children).
        let isAlsoDocument: Bool
        /// The knowledge base's copy of this file, when it has one.
        var imported: ImportedCopy? = nil
    }

    /// A listed file that is already in the knowledge base: when, and whether the provider has
    /// a newer version than the copy (importing it again then updates the copy).
    struct ImportedCopy: Encodable, Equatable {
        let documentId: UUID
        let importedAt: Date?
        let category: String
        /// `false`: the provider's revision differs from the one imported.
        let upToDate: Bool
    }

    struct ListResponse: ResponseEncodable {
        let folderId: String
        let files: [CloudFileDTO]
        let nextPageToken: String?
        let breadcrumbs: [Breadcrumb]
    }

    func addRoutes(to signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(SiteRoute.files(nil).pattern) { request, context -> ListResponse in
            let identity = context.identity
            let platform = try context.platformParameter()
            let query = request.uri.queryParameters
            let folderID = query["folder_id"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "root"
            let pageToken = query["page_token"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let search = query["q"].map(String.init).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
            let access = ProviderAccess(
                platform, userID: identity.userID, workspaceID: identity.workspaceID, connector: try connectors.connector(platform), tokens: tokens)
            // The session's site names the stored copies (Confluence keys are per site): no second lookup.
            async let listing = access { connector, session in
                (try await connector.list(folderID: folderID, pageToken: pageToken, query: search, session: session), session.siteID)
            }
            // Breadcrumbs only on a folder's first page; later pages keep the ones already shown.
            let crumbs: [Breadcrumb] =
                pageToken == nil
                ? try await access { connector, session in try await connector.breadcrumbs(folderID: folderID, session: session) } : []
            let (page, siteID) = try await listing
            let listed = page.files
            let copies = try await importedCopies(of: listed, platform: platform, siteID: siteID, workspaceID: identity.workspaceID)
            let files = listed.map { file in
                var row = dto(file)
                row.imported = copies[file.id]
                return row
            }
            return ListResponse(folderId: folderID, files: files, nextPageToken: page.nextPageToken, breadcrumbs: crumbs)
        }
    }

    /// The knowledge base's copies of the listed files, by file id, in one query.
    func importedCopies(of files: [CloudFile], platform: Platform, siteID: String?, workspaceID: UUID) async throws -> [String: ImportedCopy] {
        let documents = files.filter { !$0.isFolder || $0.isAlsoDocument }
        guard !documents.isEmpty else { return [:] }
        let keys = Dictionary(
            documents.map { (SourceKey.make(platform: platform, siteID: siteID, fileID: $0.id), $0) }, uniquingKeysWith: { first, _ in first })
        let rows = try await KnowledgeDocument.query(on: store.database).filter(\.$workspace.$id == workspaceID).filter(\.$sourcePlatform == platform)
            .filter(\.$sourceFileID ~~ Array(keys.keys)).all()
        var copies: [String: ImportedCopy] = [:]
        for row in rows {
            guard let file = keys[row.sourceFileID], let id = row.id else { continue }
            copies[file.id] = ImportedCopy(
                documentId: id, importedAt: row.updatedAt ?? row.createdAt, category: row.category,
                upToDate: file.revision == nil || row.sourceRevision == file.revision)
        }
        return copies
    }

    func dto(_ file: CloudFile) -> CloudFileDTO {
        let reason = Self.refusal(file, extractors: extractors, maxBytes: maxFileBytes)
        return CloudFileDTO(
            id: file.id, name: file.name, mimeType: file.mimeType, size: file.size, modifiedTime: file.modifiedTime, webViewLink: file.webViewLink,
            isFolder: file.isFolder, parentId: file.parentId, importable: reason == nil, reason: reason,
            exportFormat: file.export?.fileExtension, isAlsoDocument: file.isAlsoDocument)
    }

    /// Why a listed item cannot be imported, or `nil`. Folders are importable (everything inside them).
    static func refusal(_ file: CloudFile, extractors: Extractors, maxBytes: Int64) -> String? {
        if let reason = file.unavailableReason { return reason }
        if file.isFolder { return nil }
        if let refusal = extractors.refusal(mimeType: file.contentType, fileName: file.contentName) { return refusal.reason }
        if let size = file.size, size > maxBytes { return "Larger than the import limit of \(maxBytes / 1_000_000) MB." }
        return nil
    }
}

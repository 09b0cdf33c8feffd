import CirrusCore
import Connectors
import Extraction
import Foundation
import Hummingbird

/// `GET /api/v1/integrations/{platform}/files/{id}/preview`: what the picker's preview pane shows
/// before importing — the file's details and the start of its text, read on the fly the way an
/// import reads it (downloaded to a temporary file, parsed in a reader process, then deleted).
/// Nothing is stored.
struct FilePreview {
    let connectors: ConnectorRegistry
    let tokens: TokenManager
    let reader: any DocumentReader
    let extractors = Extractors()
    /// Larger files are described but not read for a preview.
    let maxBytes: Int64
    let temporaryDirectory: URL

    /// Characters of text a preview shows: about a page.
    static let previewCharacters = 3000

    struct PreviewDTO: ResponseEncodable {
        let id: String
        let name: String
        let mimeType: String
        let size: Int64?
        let modifiedTime: Date?
        let webViewLink: String?
        /// The start of the file's text; `nil` with `reason` when it has none to show.
        let text: String?
        /// Whether the file has more text than shown.
        let truncated: Bool
        /// Why there is no text (a folder, a format Cirrus does not read, too large, unreadable).
        let reason: String?
        /// Pages read by OCR, for a scan.
        let ocrPages: Int?
    }

    func addRoutes(to signedIn: RouterGroup<SignedInContext>) {
        signedIn.get(SiteRoute.filePreview(nil, nil).pattern) { _, context -> PreviewDTO in
            let identity = context.identity
            let platform = try context.platformParameter()
            let id = try context.parameters.require("file")
            let access = ProviderAccess(
                platform, userID: identity.userID, workspaceID: identity.workspaceID, connector: try connectors.connector(platform), tokens: tokens)
            let file = try await access { connector, session in try await connector.file(id: id, session: session) }
            return try await preview(file, access: access)
        }
    }

    func preview(_ file: CloudFile, access: ProviderAccess) async throws -> PreviewDTO {
        func described(text: String? = nil, truncated: Bool = false, reason: String?, ocrPages: Int? = nil) -> PreviewDTO {
            PreviewDTO(
                id: file.id, name: file.name, mimeType: file.mimeType, size: file.size, modifiedTime: file.modifiedTime, webViewLink: file.webViewLink,
                text: text, truncated: truncated, reason: reason, ocrPages: ocrPages)
        }
        if file.isFolder && !file.isAlsoDocument { return described(reason: "A folder: importing it imports everything inside.") }
        if let refusal = FilesAPI.refusal(file, extractors: extractors, maxBytes: maxBytes) { return described(reason: refusal) }
        let temporary = temporaryDirectory.appendingPathComponent("preview-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let downloaded: DownloadedFile
        do {
            downloaded = try await access { connector, session in
                try await connector.download(file, session: session, to: temporary, maxBytes: maxBytes)
            }
        } catch ConnectorError.fileTooLarge {
            return described(reason: "Too large to preview; it can still be imported.")
        }
        let document: ExtractedDocument
        do {
            document = try await reader.read(fileAt: temporary.path, mimeType: downloaded.mimeType, fileName: downloaded.fileName)
        } catch let error as any UserFacingError {
            return described(reason: error.safeMessage)
        }
        let text = document.sections.map(\.text).joined(separator: "\n\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return described(reason: "The file has no text to show.") }
        let shown = String(text.prefix(Self.previewCharacters))
        return described(text: shown, truncated: shown.count < text.count, reason: nil, ocrPages: document.ocr?.pages)
    }
}

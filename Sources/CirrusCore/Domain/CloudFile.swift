import Foundation

/// A file or folder at a provider, as the file browser and the import pipeline see it. The
/// seed's `CloudFile` fields plus what an import needs to fetch and verify it.
public struct CloudFile: Sendable, Equatable, Codable {
    /// How a provider lets a download be checked.
    public enum Checksum: Sendable, Equatable, Codable {
        /// Google Drive `md5Checksum` (hex).
        case md5(String)
        /// Microsoft Graph `hashes.quickXorHash` (base64).
        case quickXor(String)
        /// Dropbox `content_hash` (hex SHA-256 of the SHA-256s of each 4 MiB block).
        case dropbox(String)
    }

    /// The format a provider-native document (Google Docs, Sheets, Slides) is exported to.
    public struct Export: Sendable, Equatable, Codable {
        public var mimeType: String
        public var fileExtension: String

        public init(mimeType: String, fileExtension: String) {
            self.mimeType = mimeType
            self.fileExtension = fileExtension
        }
    }

    public var id: String
    public var name: String
    public var mimeType: String
    public var size: Int64?
    public var modifiedTime: Date?
    public var webViewLink: String?
    /// Browsable: opening it lists children.
    public var isFolder: Bool
    public var parentId: String?
    /// Changes whenever the content changes (version, eTag, rev).
    public var revision: String?
    public var checksum: Checksum?
    public var export: Export?
    /// A folder that is also a document itself (a Confluence page with child pages).
    public var isAlsoDocument: Bool
    /// Why the provider will not hand the file over (downloads disabled, a type with no export).
    public var unavailableReason: String?

    public init(
        id: String, name: String, mimeType: String, size: Int64? = nil, modifiedTime: Date? = nil, webViewLink: String? = nil,
        isFolder: Bool = false, parentId: String? = nil, revision: String? = nil, checksum: Checksum? = nil, export: Export? = nil,
        isAlsoDocument: Bool = false, unavailableReason: String? = nil
    ) {
        self.id = id
        self.name = name
        self.mimeType = mimeType
        self.size = size
        self.modifiedTime = modifiedTime
        self.webViewLink = webViewLink
        self.isFolder = isFolder
        self.parentId = parentId
        self.revision = revision
        self.checksum = checksum
        self.export = export
        self.isAlsoDocument = isAlsoDocument
        self.unavailableReason = unavailableReason
    }

    /// The type of the bytes an import receives: the export format for provider-native documents.
    public var contentType: String { export?.mimeType ?? mimeType }

    /// The name the imported document gets: an exported Google Doc gains its export extension.
    public var contentName: String {
        guard let export, !name.lowercased().hasSuffix("." + export.fileExtension) else { return name }
        return name + "." + export.fileExtension
    }
}

/// One page of a folder listing.
public struct FilePage: Sendable, Equatable {
    public var files: [CloudFile]
    public var nextPageToken: String?

    public init(files: [CloudFile], nextPageToken: String?) {
        self.files = files
        self.nextPageToken = nextPageToken
    }
}

/// One step of the path from a provider's top level to a folder.
public struct Breadcrumb: Sendable, Equatable, Codable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

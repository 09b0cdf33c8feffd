/// A cloud service Cirrus can connect to and import documents from.
///
/// The raw values are the platform names of the REST API (`/api/v1/integrations/{platform}`).
public enum Platform: String, CaseIterable, Codable, Sendable {
    case googleDrive = "google_drive"
    case microsoft = "microsoft"
    case dropbox = "dropbox"
    case confluence = "confluence"

    /// The name a person reads on the Integrations page.
    public var displayName: String {
        switch self {
        case .googleDrive: "Google Drive"
        case .microsoft: "Microsoft 365"
        case .dropbox: "Dropbox"
        case .confluence: "Confluence"
        }
    }

    /// One sentence that says what connecting this platform gives the admin.
    public var summary: String {
        switch self {
        case .googleDrive: "Import documents, spreadsheets and slides from My Drive and shared drives."
        case .microsoft: "Import files from OneDrive, SharePoint document libraries and Teams."
        case .dropbox: "Import files and folders from personal and team Dropbox accounts."
        case .confluence: "Import pages, page trees and attachments from Confluence Cloud spaces."
        }
    }
}

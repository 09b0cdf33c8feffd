import CirrusCore
import Foundation

/// Dropbox: 4-hour access tokens, a refresh token only with `token_access_type=offline`.
public struct DropboxConnector: OAuthConnector {
    public let platform = Platform.dropbox
    /// Dropbox's flow: the app key and secret by HTTP Basic; revocation is a call with the
    /// access token (401: it was already gone).
    public static let facts = ProviderFacts(
        oauth: OAuthDescription(
            authorizationHost: "www.dropbox.com", authorizationPath: "/oauth2/authorize",
            tokenHost: "api.dropboxapi.com", tokenPath: "/oauth2/token", authentication: .httpBasic,
            scopes: ["account_info.read", "files.metadata.read", "files.content.read"],
            extraAuthorizationParameters: [("token_access_type", "offline")],
            revocation: .bearerCall(host: "api.dropboxapi.com", path: "/2/auth/token/revoke", alreadyGone: [401])),
        setupPitfalls: [
            "Enable the listed scopes on the app's Permissions tab before connecting.",
            "Access tokens last 4 hours; Cirrus asks for offline access so it can refresh them.",
        ])
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP
    let oauth: OAuth2Client

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
        self.oauth = OAuth2Client(description: Self.facts.oauth, configuration: configuration, http: http)
    }

    private var api: String { configuration.hosts.base("api.dropboxapi.com") }

    public func account(accessToken: String) async throws -> ProviderAccount {
        // A Void route: the body is the literal `null`.
        let reply = try await http.send(
            .POST, api + "/2/users/get_current_account",
            headers: [("Authorization", "Bearer \(accessToken)"), ("Content-Type", "application/json")], body: Array("null".utf8))
        guard reply.status == 200 else { throw ProviderHTTP.apiError(reply) }
        let account = try reply.decode(DropboxWire.Account.self, "Dropbox's current account")
        return ProviderAccount(id: account.accountId, email: account.email, name: account.name?.displayName)
    }
}

/// The Dropbox API v2's documented shapes that Cirrus reads and sends.
enum DropboxWire {
    struct Account: Decodable {
        struct Name: Decodable {
            let displayName: String?
            enum CodingKeys: String, CodingKey { case displayName = "display_name" }
        }
        let accountId: String
        let email: String?
        let name: Name?
        enum CodingKeys: String, CodingKey { case accountId = "account_id", email, name }
    }

    /// A file, folder or deleted entry (`.tag`).
    struct Metadata: Decodable {
        struct ExportInfo: Decodable {
            let exportOptions: [String]?
            enum CodingKeys: String, CodingKey { case exportOptions = "export_options" }
        }
        let tag: String
        let name: String
        let id: String?
        let pathLower: String?
        let pathDisplay: String?
        let size: Int64?
        let serverModified: String?
        let rev: String?
        let contentHash: String?
        let isDownloadable: Bool?
        let exportInfo: ExportInfo?

        enum CodingKeys: String, CodingKey {
            case tag = ".tag", name, id, pathLower = "path_lower", pathDisplay = "path_display", size, serverModified = "server_modified"
            case rev, contentHash = "content_hash", isDownloadable = "is_downloadable", exportInfo = "export_info"
        }
    }

    struct ListFolderResult: Decodable {
        let entries: [Metadata]
        let cursor: String?
        let hasMore: Bool
        enum CodingKeys: String, CodingKey { case entries, cursor, hasMore = "has_more" }
    }

    struct SearchResult: Decodable {
        struct Match: Decodable {
            struct MetadataV2: Decodable { let metadata: Metadata? }
            let metadata: MetadataV2?
        }
        let matches: [Match]
        let cursor: String?
        let hasMore: Bool
        enum CodingKeys: String, CodingKey { case matches, cursor, hasMore = "has_more" }
    }

    struct ListFolder: Encodable {
        let path: String
        let limit: Int
        let includeDeleted: Bool
        enum CodingKeys: String, CodingKey { case path, limit, includeDeleted = "include_deleted" }
    }

    struct Cursor: Encodable { let cursor: String }

    struct Path: Encodable { let path: String }

    struct Search: Encodable {
        struct Options: Encodable {
            let maxResults: Int
            let fileStatus: String
            let path: String?
            enum CodingKeys: String, CodingKey { case maxResults = "max_results", fileStatus = "file_status", path }
        }
        let query: String
        let options: Options
    }

    /// The `Dropbox-API-Arg` of a download or export.
    struct DownloadArgument: Encodable {
        let path: String
        let exportFormat: String?
        enum CodingKeys: String, CodingKey { case path, exportFormat = "export_format" }
    }
}

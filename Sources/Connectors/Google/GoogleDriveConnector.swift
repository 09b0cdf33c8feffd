import CirrusCore
import Foundation

/// Google Drive: OAuth 2.0 web-server flow with offline access, identity from userinfo.
public struct GoogleDriveConnector: OAuthConnector {
    public let platform = Platform.googleDrive
    /// Google's flow: offline access with consent is the only way Google issues a refresh token
    /// on every connect; revoking the refresh token ends the whole grant.
    public static let facts = ProviderFacts(
        oauth: OAuthDescription(
            authorizationHost: "accounts.google.com", authorizationPath: "/o/oauth2/v2/auth",
            tokenHost: "oauth2.googleapis.com", tokenPath: "/token", authentication: .formFields,
            scopes: ["openid", "email", "profile", "https://www.googleapis.com/auth/drive.readonly"],
            extraAuthorizationParameters: [("access_type", "offline"), ("prompt", "consent"), ("include_granted_scopes", "true")],
            revocation: .tokenForm(host: "oauth2.googleapis.com", path: "/revoke", alreadyGone: [400])),
        setupPitfalls: [
            "An app in Google's Testing publishing status gets refresh tokens that expire after 7 days: publish it for lasting connections.",
            "drive.readonly is a restricted scope: Google requires verification for external users.",
        ])
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP
    let oauth: OAuth2Client

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
        self.oauth = OAuth2Client(description: Self.facts.oauth, configuration: configuration, http: http)
    }

    private var apis: String { configuration.hosts.base("www.googleapis.com") }

    public func account(accessToken: String) async throws -> ProviderAccount {
        let user = try await http.get(GoogleWire.UserInfo.self, apis + "/oauth2/v3/userinfo", bearer: accessToken, what: "Google's userinfo")
        return ProviderAccount(id: user.sub, email: user.email, name: user.name)
    }
}

/// The Google APIs' documented shapes that Cirrus reads.
enum GoogleWire {
    /// OpenID Connect userinfo.
    struct UserInfo: Decodable {
        let sub: String
        let email: String?
        let name: String?
    }

    /// A Drive `files` resource, with the fields Cirrus asks for.
    struct File: Decodable {
        struct ShortcutDetails: Decodable { let targetId: String? }
        struct Capabilities: Decodable { let canDownload: Bool? }

        let id: String
        let name: String?
        let mimeType: String?
        /// int64, sent as a string.
        let size: FlexibleInt?
        let modifiedTime: String?
        let webViewLink: String?
        let parents: [String]?
        let md5Checksum: String?
        let version: FlexibleInt?
        let driveId: String?
        let shortcutDetails: ShortcutDetails?
        let exportLinks: [String: String]?
        let capabilities: Capabilities?
    }

    struct FileList: Decodable {
        let files: [File]?
        let nextPageToken: String?
    }

    /// A shared drive.
    struct Drive: Decodable {
        let id: String
        let name: String?
    }

    struct DriveList: Decodable {
        let drives: [Drive]?
        let nextPageToken: String?
    }
}

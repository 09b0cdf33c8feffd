import AsyncHTTPClient
import CirrusCore
import Foundation

/// Confluence Cloud through Atlassian OAuth 2.0 (3LO): rotating refresh tokens, the site
/// (cloud id) found through accessible-resources.
public struct ConfluenceConnector: OAuthConnector {
    public let platform = Platform.confluence
    /// Atlassian's 3LO flow: a JSON token request, rotating refresh tokens, no revocation
    /// endpoint (the person removes the app). One grant reaches every site the person chose at
    /// consent; a connection reads one.
    public static let facts = ProviderFacts(
        oauth: OAuthDescription(
            authorizationHost: "auth.atlassian.com", authorizationPath: "/authorize",
            tokenHost: "auth.atlassian.com", tokenPath: "/oauth/token", authentication: .jsonBody,
            scopes: [
                "read:page:confluence", "read:space:confluence", "read:attachment:confluence", "read:content.metadata:confluence",
                "search:confluence", "readonly:content.attachment:confluence", "read:me", "offline_access",
            ],
            extraAuthorizationParameters: [("audience", "api.atlassian.com"), ("prompt", "consent")], revocation: .none),
        resourceChoice: ResourceChoice(noun: "Confluence site", code: "confluence_site"),
        setupPitfalls: [
            "Add the granular Confluence scopes and the User identity API (read:me) to the app in the developer console.",
            "Refresh tokens rotate; each one can be used once.",
        ],
        removeAppAt: "Connected apps at id.atlassian.com/manage-profile/apps")
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP
    let oauth: OAuth2Client

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
        self.oauth = OAuth2Client(description: Self.facts.oauth, configuration: configuration, http: http)
    }

    private var api: String { configuration.hosts.base("api.atlassian.com") }

    public func account(accessToken: String) async throws -> ProviderAccount {
        let me = try await http.get(ConfluenceWire.Me.self, api + "/me", bearer: accessToken, what: "Atlassian's signed-in user")
        let resources = try await http.get(
            [ConfluenceWire.Resource].self, api + "/oauth/token/accessible-resources", bearer: accessToken, what: "Atlassian's accessible resources")
        // Only sites whose grant carries Confluence scopes; the list's order means nothing.
        let sites = resources.filter { ($0.scopes ?? []).contains { $0.hasSuffix(":confluence") } }
            .map { ProviderAccount.Resource(id: $0.id, name: $0.name, url: $0.url) }
            .sorted { $0.name < $1.name }
        return ProviderAccount(id: me.accountId, email: me.email, name: me.name, resources: sites)
    }
}

/// Atlassian's and Confluence Cloud's documented shapes that Cirrus reads.
enum ConfluenceWire {
    struct Me: Decodable {
        let accountId: String
        let email: String?
        let name: String?
        enum CodingKeys: String, CodingKey { case accountId = "account_id", email, name }
    }

    /// A site the grant reaches (`accessible-resources`).
    struct Resource: Decodable {
        let id: String
        let name: String
        let url: String
        let scopes: [String]?
    }

    struct Links: Decodable {
        let webui: String?
        let next: String?
    }

    struct Version: Decodable {
        let number: Int?
        let createdAt: String?
    }

    /// A v2 list: `results` and `_links.next`.
    struct Results<Element: Decodable>: Decodable {
        let results: [Element]
        let links: Links?
        enum CodingKeys: String, CodingKey { case results, links = "_links" }
    }

    struct Space: Decodable {
        let id: FlexibleID
        let name: String?
        let links: Links?
        enum CodingKeys: String, CodingKey { case id, name, links = "_links" }
    }

    /// A page, or another kind of content in a page tree (`type`: folder, whiteboard, …).
    struct Content: Decodable {
        struct Body: Decodable {
            struct Storage: Decodable { let value: String? }
            let storage: Storage?
        }
        let id: FlexibleID
        let type: String?
        let title: String?
        let spaceId: FlexibleID?
        let parentId: FlexibleID?
        let version: Version?
        let body: Body?
        let links: Links?
        enum CodingKeys: String, CodingKey { case id, type, title, spaceId, parentId, version, body, links = "_links" }
    }

    struct Attachment: Decodable {
        let id: FlexibleID
        let title: String?
        let mediaType: String?
        let fileSize: Int64?
        let webuiLink: String?
        let version: Version?
    }

    /// An ancestor of a page (v2 `ancestors`: id and type only).
    struct Ancestor: Decodable {
        let id: FlexibleID
        let type: String?
    }
}

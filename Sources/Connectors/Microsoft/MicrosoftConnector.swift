import CirrusCore
import Foundation

/// Microsoft 365 through the identity platform v2.0 and Graph; refresh tokens rotate.
public struct MicrosoftConnector: OAuthConnector {
    public let platform = Platform.microsoft
    /// The identity platform's flow, under the configured tenant. Microsoft has no revocation
    /// endpoint for one app's tokens; the person removes the app.
    public static let facts = ProviderFacts(
        oauth: OAuthDescription(
            authorizationHost: "login.microsoftonline.com", authorizationPath: "/{tenant}/oauth2/v2.0/authorize",
            tokenHost: "login.microsoftonline.com", tokenPath: "/{tenant}/oauth2/v2.0/token", authentication: .formFields,
            scopes: [
                "offline_access", "openid", "profile", "User.Read", "Files.Read.All", "Sites.Read.All", "Team.ReadBasic.All", "Channel.ReadBasic.All",
            ],
            extraAuthorizationParameters: [("response_mode", "query"), ("prompt", "select_account")], revocation: .none),
        setupPitfalls: [
            "Tenants that restrict user consent need an administrator to grant consent for Files.Read.All and Sites.Read.All.",
            "Register the redirect URI as a Web platform (not SPA), or refresh tokens last only 24 hours.",
        ],
        removeAppAt: "myapps.microsoft.com (work accounts) or account.live.com/consent/Manage (personal accounts)")

    /// The facts with Graph change notifications on or off: on, the write scope is asked for
    /// too (Graph creates subscriptions on files only with it; Cirrus never writes).
    public static func facts(graphSubscriptions: Bool) -> ProviderFacts {
        guard graphSubscriptions else { return facts }
        var facts = Self.facts
        facts.oauth.scopes.append(subscriptionScope)
        facts.setupPitfalls.append(
            "Change notifications (CIRRUS_SYNC_PUSH_MICROSOFT) need \(subscriptionScope): Graph refuses a subscription on files without it, although Cirrus only reads. Connections made before it was turned on are polled until they reconnect."
        )
        return facts
    }

    /// The scope Graph requires of a delegated subscription on drive items.
    public static let subscriptionScope = "Files.ReadWrite.All"

    let configuration: ConnectorConfiguration
    let http: ProviderHTTP
    let oauth: OAuth2Client

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
        self.oauth = OAuth2Client(
            description: Self.facts(graphSubscriptions: configuration.graphSubscriptions).oauth, configuration: configuration, http: http)
    }

    private var graph: String { configuration.hosts.base("graph.microsoft.com") + "/v1.0" }

    public func account(accessToken: String) async throws -> ProviderAccount {
        let user = try await http.get(
            GraphWire.User.self, graph + "/me?$select=id,displayName,mail,userPrincipalName", bearer: accessToken, what: "Graph's signed-in user")
        // `mail` can be null (no mailbox): fall back to the sign-in name.
        return ProviderAccount(id: user.id, email: user.mail ?? user.userPrincipalName, name: user.displayName)
    }
}

/// Microsoft Graph v1.0's documented shapes that Cirrus reads.
enum GraphWire {
    struct User: Decodable {
        let id: String
        let displayName: String?
        let mail: String?
        let userPrincipalName: String?
    }

    /// A collection page: `value` and the `@odata.nextLink` to the next.
    struct Collection<Element: Decodable>: Decodable {
        let value: [Element]
        let nextLink: String?
        enum CodingKeys: String, CodingKey { case value, nextLink = "@odata.nextLink" }
    }

    /// A site, team or channel: what the picker shows of a container.
    struct Container: Decodable {
        let id: String
        let displayName: String?
        let name: String?
        let webUrl: String?
    }

    struct Drive: Decodable {
        let id: String
        let name: String?
        let webUrl: String?
        let driveType: String?
    }

    struct DriveItem: Decodable {
        struct ParentReference: Decodable {
            let id: String?
            let driveId: String?
        }
        struct FileFacet: Decodable {
            struct Hashes: Decodable { let quickXorHash: String? }
            let mimeType: String?
            let hashes: Hashes?
        }
        struct Package: Decodable { let type: String? }
        /// Present (an empty object) on folders and on a drive's root.
        struct Marker: Decodable {}

        let id: String
        let name: String?
        let size: Int64?
        let lastModifiedDateTime: String?
        let webUrl: String?
        let cTag: String?
        let eTag: String?
        let parentReference: ParentReference?
        let file: FileFacet?
        let folder: Marker?
        let root: Marker?
        let package: Package?
        /// Present in a delta on items deleted (or moved to the recycle bin).
        let deleted: Marker?
    }
}

import CirrusCore
import Foundation

/// Tokens a provider issued for one connection.
public struct TokenSet: Sendable, Equatable {
    public var accessToken: String
    /// `nil` when the provider sent none (keep the one already stored).
    public var refreshToken: String?
    public var expiresAt: Date?
    public var scopes: [String]

    public init(accessToken: String, refreshToken: String?, expiresAt: Date?, scopes: [String]) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
    }
}

/// Who a connection belongs to at the provider.
public struct ProviderAccount: Sendable, Equatable {
    /// One of the resources a grant reaches, when the provider has a ``ResourceChoice``.
    public struct Resource: Sendable, Equatable {
        public var id: String
        public var name: String
        public var url: String
    }

    public var id: String
    public var email: String?
    public var name: String?
    /// The resources the grant reaches (Atlassian: Confluence sites); empty elsewhere.
    public var resources: [Resource]

    public init(id: String, email: String?, name: String?, resources: [Resource] = []) {
        self.id = id
        self.email = email
        self.name = name
        self.resources = resources
    }
}

/// A provider whose one grant reaches several resources, of which a connection reads one
/// (Atlassian: the Confluence sites of the account). The first is chosen when connecting; the
/// person may choose another afterwards. Browsing and downloads need the chosen one.
public struct ResourceChoice: Sendable, Equatable {
    /// What one is called in sentences: "Confluence site".
    public var noun: String
    /// The stable code part of errors about it: `no_confluence_site`.
    public var code: String

    public init(noun: String, code: String) {
        self.noun = noun
        self.code = code
    }
}

/// Why a provider call failed, in terms the token lifecycle and the UI can act on.
public enum ConnectorError: UserFacingError, Equatable {
    /// The provider refused the grant (revoked, expired, rotated away): the user must reconnect.
    case invalidGrant(String)
    /// The access token was refused; a refresh may fix it.
    case unauthorized
    /// The provider's configuration (client id, secret, redirect URI) was refused.
    case misconfigured(String)
    /// The provider answered with an error we do not retry.
    case provider(status: Int, message: String)
    /// The provider stayed unavailable through every retry.
    case unavailable(String)
    /// The answer was not what the provider documents.
    case malformedResponse(String)
    /// The file or folder is not there (deleted, moved, or never shared with this account).
    case notFound
    /// The download is bigger than the configured limit.
    case fileTooLarge(limit: Int64)
    /// The bytes received do not match the provider's checksum, even after retrying.
    case checksumMismatch
    /// The provider will not hand this file over.
    case notDownloadable(String)
    /// The provider pointed at a link Cirrus does not follow (another host, scheme or a private
    /// address); the associated value names its host.
    case unsafeLink(String)
    /// The provider no longer knows a change feed's bookmark (Graph `410 Gone`, Dropbox
    /// `reset`, a Drive page token refused): the feed starts again from a full comparison.
    case feedReset

    public var code: String {
        switch self {
        case .invalidGrant: "provider_grant_invalid"
        case .unauthorized: "provider_unauthorized"
        case .misconfigured: "provider_misconfigured"
        case .provider: "provider_error"
        case .unavailable: "provider_unavailable"
        case .malformedResponse: "provider_bad_response"
        case .notFound: "provider_not_found"
        case .fileTooLarge: "file_too_large"
        case .checksumMismatch: "checksum_mismatch"
        case .notDownloadable: "not_downloadable"
        case .unsafeLink: "unsafe_link"
        case .feedReset: "provider_feed_reset"
        }
    }

    public var safeMessage: String {
        switch self {
        case .invalidGrant: "The provider no longer accepts this connection. Reconnect the account."
        case .unauthorized: "The provider refused the access token."
        case .misconfigured: "The provider rejected this server's OAuth client: check its client id, secret and redirect URI."
        case .provider(let status, _): "The provider refused the request (HTTP \(status))."
        case .unavailable(let detail): "The provider is not reachable right now (\(detail)). Try again shortly."
        case .malformedResponse(let detail): "The provider sent an unexpected answer: \(detail)"
        case .notFound: "The file or folder is no longer there, or is not shared with this account."
        case .fileTooLarge(let limit): "The file is larger than the import limit of \(limit / 1_000_000) MB."
        case .checksumMismatch: "The downloaded bytes did not match the provider's checksum."
        case .notDownloadable(let reason): reason
        case .unsafeLink(let host): "The provider sent an unsafe link (to \(host)), so nothing was fetched from it."
        case .feedReset: "The provider restarted its list of changes; everything is compared again instead."
        }
    }

    public var kind: FailureKind {
        switch self {
        case .invalidGrant, .unauthorized: .conflict
        case .fileTooLarge, .notDownloadable: .badRequest
        // The request to Cirrus was fine; what Cirrus depends on was not.
        case .provider, .malformedResponse, .unsafeLink: .upstream
        case .misconfigured: .unavailable
        case .notFound: .notFound
        case .unavailable, .checksumMismatch: .unavailable
        case .feedReset: .conflict
        }
    }

    /// The provider's own words, for the logs only: people are shown ``safeMessage``.
    public var providerDetail: String? {
        switch self {
        case .invalidGrant(let detail), .misconfigured(let detail): detail
        case .provider(_, let message): message
        default: nil
        }
    }

    /// Worth trying again later (the provider was busy or the transfer broke); anything else is permanent.
    public var isTransient: Bool {
        switch self {
        case .unavailable, .checksumMismatch, .unauthorized: true
        default: false
        }
    }
}

/// What a connector needs to reach one connection's files.
public struct ProviderSession: Sendable {
    public var accessToken: String
    /// The chosen resource's id (Confluence: the site's cloud id), for a ``ResourceChoice``.
    public var siteID: String?
    /// The chosen resource's URL, for links back to its items.
    public var siteURL: String?

    public init(accessToken: String, siteID: String? = nil, siteURL: String? = nil) {
        self.accessToken = accessToken
        self.siteID = siteID
        self.siteURL = siteURL
    }
}

/// One cloud provider, behind one interface: the OAuth steps, account lookup, browsing and
/// downloads. Folder ids are the connector's own: `root` is the top level, and virtual
/// folders (Shared with me, SharePoint sites, Confluence spaces) get ids the connector reads back.
public protocol CloudConnector: Sendable {
    var platform: Platform { get }
    /// The scopes requested at consent.
    var scopes: [String] { get }
    /// Whether the grant reaches several resources to choose from (`nil`: it does not).
    var resourceChoice: ResourceChoice? { get }
    /// The provider's consent URL for this state and PKCE challenge (S256).
    func authorizationURL(state: String, codeChallenge: String) -> String
    func exchange(code: String, codeVerifier: String) async throws -> TokenSet
    func refresh(refreshToken: String) async throws -> TokenSet
    func account(accessToken: String) async throws -> ProviderAccount
    /// Revokes the grant at the provider; `false` when the provider has no revocation endpoint.
    func revoke(_ tokens: TokenSet) async throws -> Bool

    /// One page of a folder's children, or of search results when `query` is given.
    func list(folderID: String, pageToken: String?, query: String?, session: ProviderSession) async throws -> FilePage
    /// The path from the top level to a folder, the top level included.
    func breadcrumbs(folderID: String, session: ProviderSession) async throws -> [Breadcrumb]
    /// One file's current metadata.
    func file(id: String, session: ProviderSession) async throws -> CloudFile
    /// Streams a file (exported when provider-native) to `destination`.
    func download(_ file: CloudFile, session: ProviderSession, to destination: URL, maxBytes: Int64) async throws -> DownloadedFile
}

/// A provider's connector as a type: what is known about the provider without a connection,
/// and how to make the connector for one OAuth app. ``ConnectorRegistry`` maps each platform to one.
public protocol ProviderConnector: CloudConnector {
    static var facts: ProviderFacts { get }
    init(configuration: ConnectorConfiguration, http: ProviderHTTP)
}

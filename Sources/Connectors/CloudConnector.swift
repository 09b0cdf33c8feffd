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
    /// A Confluence site the grant covers.
    public struct Site: Sendable, Equatable {
        public var id: String
        public var name: String
        public var url: String
    }

    public var id: String
    public var email: String?
    public var name: String?
    /// Atlassian only: the Confluence sites (cloud ids) this grant reaches.
    public var sites: [Site]

    public init(id: String, email: String?, name: String?, sites: [Site] = []) {
        self.id = id
        self.email = email
        self.name = name
        self.sites = sites
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

    public var code: String {
        switch self {
        case .invalidGrant: "provider_grant_invalid"
        case .unauthorized: "provider_unauthorized"
        case .misconfigured: "provider_misconfigured"
        case .provider: "provider_error"
        case .unavailable: "provider_unavailable"
        case .malformedResponse: "provider_bad_response"
        }
    }

    public var safeMessage: String {
        switch self {
        case .invalidGrant: "The provider no longer accepts this connection. Reconnect the account."
        case .unauthorized: "The provider refused the access token."
        case .misconfigured(let detail): "The provider rejected this server's OAuth settings: \(detail)"
        case .provider(let status, let message): "The provider answered \(status): \(message)"
        case .unavailable(let detail): "The provider is not reachable right now (\(detail)). Try again shortly."
        case .malformedResponse(let detail): "The provider sent an unexpected answer: \(detail)"
        }
    }

    public var kind: FailureKind {
        switch self {
        case .invalidGrant, .unauthorized: .conflict
        case .misconfigured, .provider, .malformedResponse: .badRequest
        case .unavailable: .unavailable
        }
    }
}

/// One cloud provider, behind one interface: the OAuth steps and account lookup. Listing,
/// downloads and change feeds join it as the import and sync capabilities land.
public protocol CloudConnector: Sendable {
    var platform: Platform { get }
    /// The scopes requested at consent.
    var scopes: [String] { get }
    /// The provider's consent URL for this state and PKCE challenge (S256).
    func authorizationURL(state: String, codeChallenge: String) -> String
    func exchange(code: String, codeVerifier: String) async throws -> TokenSet
    func refresh(refreshToken: String) async throws -> TokenSet
    func account(accessToken: String) async throws -> ProviderAccount
    /// Revokes the grant at the provider; `false` when the provider has no revocation endpoint.
    func revoke(_ tokens: TokenSet) async throws -> Bool
}

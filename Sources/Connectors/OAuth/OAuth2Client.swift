import CirrusCore
import Foundation

/// What one provider's OAuth 2.0 authorization-code flow with PKCE (RFC 6749, RFC 7636) looks
/// like: where its endpoints are, how the client authenticates, what else it asks for, and how
/// a grant ends. Every connector's sign-in is ``OAuth2Client`` driven by one of these.
public struct OAuthDescription: Sendable {
    /// How the client proves who it is at the token endpoint.
    public enum ClientAuthentication: Sendable {
        /// `client_id` and `client_secret` as form fields (Google, Microsoft).
        case formFields
        /// HTTP Basic with the id and secret, form body (Dropbox; RFC 6749 §2.3.1).
        case httpBasic
        /// A JSON body carrying the id and secret (Atlassian).
        case jsonBody
    }

    /// How a grant is revoked at the provider.
    public enum Revocation: Sendable {
        /// No endpoint: the person removes the app at the provider (Microsoft, Atlassian).
        case none
        /// `POST token=…` (the refresh token, which ends the whole grant) to `host` + `path`;
        /// `alreadyGone` statuses mean there was nothing left to revoke (Google answers 400).
        case tokenForm(host: String, path: String, alreadyGone: Set<Int>)
        /// A call made with the access token itself (Dropbox), with a `null` JSON body.
        case bearerCall(host: String, path: String, alreadyGone: Set<Int>)
    }

    public var authorizationHost: String
    /// `{tenant}` is replaced with the configured tenant (Microsoft).
    public var authorizationPath: String
    public var tokenHost: String
    public var tokenPath: String
    public var authentication: ClientAuthentication
    public var scopes: [String]
    /// Parameters the provider needs on the consent URL beyond the standard ones.
    public var extraAuthorizationParameters: [(String, String)]
    public var revocation: Revocation

    public init(
        authorizationHost: String, authorizationPath: String, tokenHost: String, tokenPath: String, authentication: ClientAuthentication,
        scopes: [String], extraAuthorizationParameters: [(String, String)], revocation: Revocation
    ) {
        self.authorizationHost = authorizationHost
        self.authorizationPath = authorizationPath
        self.tokenHost = tokenHost
        self.tokenPath = tokenPath
        self.authentication = authentication
        self.scopes = scopes
        self.extraAuthorizationParameters = extraAuthorizationParameters
        self.revocation = revocation
    }
}

/// The one OAuth 2.0 client: the consent URL, the code exchange, refreshes and revocation of
/// any provider, from its ``OAuthDescription``.
struct OAuth2Client: Sendable {
    let description: OAuthDescription
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP

    private func url(_ host: String, _ path: String) -> String {
        configuration.hosts.base(host) + path.replacingOccurrences(of: "{tenant}", with: configuration.tenant)
    }

    func authorizationURL(state: String, codeChallenge: String) -> String {
        url(description.authorizationHost, description.authorizationPath) + "?"
            + ProviderHTTP.query(
                [
                    ("client_id", configuration.clientID), ("response_type", "code"), ("redirect_uri", configuration.redirectURI),
                    ("scope", description.scopes.joined(separator: " ")), ("state", state),
                    ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
                ] + description.extraAuthorizationParameters)
    }

    func exchange(code: String, codeVerifier: String) async throws -> TokenSet {
        try await token([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", configuration.redirectURI), ("code_verifier", codeVerifier),
        ])
    }

    func refresh(refreshToken: String) async throws -> TokenSet {
        try await token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    /// Ends the grant; `false` when the provider has no way for an app to do so.
    func revoke(_ tokens: TokenSet) async throws -> Bool {
        let reply: ProviderHTTP.Reply
        let alreadyGone: Set<Int>
        switch description.revocation {
        case .none:
            return false
        case .tokenForm(let host, let path, let gone):
            reply = try await http.postForm(url(host, path), [("token", tokens.refreshToken ?? tokens.accessToken)])
            alreadyGone = gone
        case .bearerCall(let host, let path, let gone):
            reply = try await http.send(
                .POST, url(host, path), headers: [("Authorization", "Bearer \(tokens.accessToken)"), ("Content-Type", "application/json")],
                body: Array("null".utf8))
            alreadyGone = gone
        }
        guard reply.status == 200 || alreadyGone.contains(reply.status) else { throw ProviderHTTP.apiError(reply) }
        return true
    }

    private func token(_ fields: [(String, String)]) async throws -> TokenSet {
        let endpoint = url(description.tokenHost, description.tokenPath)
        let reply: ProviderHTTP.Reply
        switch description.authentication {
        case .formFields:
            reply = try await http.postForm(endpoint, fields + [("client_id", configuration.clientID), ("client_secret", configuration.clientSecret)])
        case .httpBasic:
            let credentials = Data("\(configuration.clientID):\(configuration.clientSecret)".utf8).base64EncodedString()
            reply = try await http.postForm(endpoint, fields, headers: [("Authorization", "Basic " + credentials)])
        case .jsonBody:
            var body = Dictionary(fields, uniquingKeysWith: { first, _ in first })
            body["client_id"] = configuration.clientID
            body["client_secret"] = configuration.clientSecret
            reply = try await http.postJSON(endpoint, body)
        }
        return try ProviderHTTP.tokenSet(reply, requestedScopes: description.scopes)
    }
}

/// A connector that signs in through ``OAuth2Client``: its OAuth steps are the client's, and
/// its scopes are the ones it asks for, and its resource choice is its ``ProviderConnector/facts``.
protocol OAuthConnector: ProviderConnector {
    var oauth: OAuth2Client { get }
}

extension OAuthConnector {
    public var scopes: [String] { oauth.description.scopes }
    public var resourceChoice: ResourceChoice? { Self.facts.resourceChoice }

    public func authorizationURL(state: String, codeChallenge: String) -> String {
        oauth.authorizationURL(state: state, codeChallenge: codeChallenge)
    }

    public func exchange(code: String, codeVerifier: String) async throws -> TokenSet {
        try await oauth.exchange(code: code, codeVerifier: codeVerifier)
    }

    public func refresh(refreshToken: String) async throws -> TokenSet {
        try await oauth.refresh(refreshToken: refreshToken)
    }

    public func revoke(_ tokens: TokenSet) async throws -> Bool {
        try await oauth.revoke(tokens)
    }
}

/// The token endpoint's documented answers (RFC 6749 §5.1 and §5.2).
enum OAuthWire {
    struct TokenResponse: Decodable {
        let accessToken: String
        let refreshToken: String?
        let expiresIn: FlexibleInt?
        let scope: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in", scope
        }
    }

    struct ErrorResponse: Decodable {
        let error: String?
        let errorDescription: String?

        enum CodingKeys: String, CodingKey { case error, errorDescription = "error_description" }
    }
}

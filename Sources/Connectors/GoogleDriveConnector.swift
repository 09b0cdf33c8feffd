import AsyncHTTPClient
import CirrusCore
import Foundation

/// Google Drive: OAuth 2.0 web-server flow with offline access, identity from userinfo.
public struct GoogleDriveConnector: CloudConnector {
    public let platform = Platform.googleDrive
    /// The scopes requested at consent, known without a configured client.
    public static let requestedScopes = ["openid", "email", "profile", "https://www.googleapis.com/auth/drive.readonly"]
    public var scopes: [String] { Self.requestedScopes }
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
    }

    private var accounts: String { configuration.hosts.base("accounts.google.com") }
    private var oauth: String { configuration.hosts.base("oauth2.googleapis.com") }
    private var apis: String { configuration.hosts.base("www.googleapis.com") }

    public func authorizationURL(state: String, codeChallenge: String) -> String {
        // offline + consent: the only way Google issues a refresh token on every connect.
        accounts + "/o/oauth2/v2/auth?" + ProviderHTTP.query([
            ("client_id", configuration.clientID), ("redirect_uri", configuration.redirectURI), ("response_type", "code"),
            ("scope", scopes.joined(separator: " ")), ("access_type", "offline"), ("prompt", "consent"),
            ("include_granted_scopes", "true"), ("state", state), ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ])
    }

    public func exchange(code: String, codeVerifier: String) async throws -> TokenSet {
        let reply = try await http.postForm(oauth + "/token", [
            ("code", code), ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret),
            ("redirect_uri", configuration.redirectURI), ("grant_type", "authorization_code"), ("code_verifier", codeVerifier),
        ])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func refresh(refreshToken: String) async throws -> TokenSet {
        let reply = try await http.postForm(oauth + "/token", [
            ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret), ("refresh_token", refreshToken),
            ("grant_type", "refresh_token"),
        ])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func account(accessToken: String) async throws -> ProviderAccount {
        let reply = try await http.get(apis + "/oauth2/v3/userinfo", bearer: accessToken)
        guard reply.status == 200, let json = reply.json, let sub = json["sub"] as? String else { throw ProviderHTTP.apiError(reply) }
        return ProviderAccount(id: sub, email: json["email"] as? String, name: json["name"] as? String)
    }

    public func revoke(_ tokens: TokenSet) async throws -> Bool {
        // Revoking the refresh token ends the whole grant.
        let reply = try await http.postForm(oauth + "/revoke", [("token", tokens.refreshToken ?? tokens.accessToken)])
        guard reply.status == 200 || reply.status == 400 else { throw ProviderHTTP.apiError(reply) }
        return true
    }
}

import AsyncHTTPClient
import CirrusCore
import Foundation

/// Microsoft 365 through the identity platform v2.0 and Graph; refresh tokens rotate.
public struct MicrosoftConnector: CloudConnector {
    public let platform = Platform.microsoft
    /// The scopes requested at consent, known without a configured client.
    public static let requestedScopes = ["offline_access", "openid", "profile", "User.Read", "Files.Read.All", "Sites.Read.All", "Team.ReadBasic.All", "Channel.ReadBasic.All"]
    public var scopes: [String] { Self.requestedScopes }
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
    }

    private var login: String { configuration.hosts.base("login.microsoftonline.com") + "/\(configuration.tenant)/oauth2/v2.0" }
    private var graph: String { configuration.hosts.base("graph.microsoft.com") + "/v1.0" }

    public func authorizationURL(state: String, codeChallenge: String) -> String {
        login + "/authorize?" + ProviderHTTP.query([
            ("client_id", configuration.clientID), ("response_type", "code"), ("redirect_uri", configuration.redirectURI),
            ("response_mode", "query"), ("scope", scopes.joined(separator: " ")), ("state", state),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"), ("prompt", "select_account"),
        ])
    }

    public func exchange(code: String, codeVerifier: String) async throws -> TokenSet {
        let reply = try await http.postForm(login + "/token", [
            ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret), ("grant_type", "authorization_code"),
            ("code", code), ("redirect_uri", configuration.redirectURI), ("code_verifier", codeVerifier),
        ])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func refresh(refreshToken: String) async throws -> TokenSet {
        let reply = try await http.postForm(login + "/token", [
            ("client_id", configuration.clientID), ("client_secret", configuration.clientSecret), ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
        ])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func account(accessToken: String) async throws -> ProviderAccount {
        let reply = try await http.get(graph + "/me?$select=id,displayName,mail,userPrincipalName", bearer: accessToken)
        guard reply.status == 200, let json = reply.json, let id = json["id"] as? String else { throw ProviderHTTP.apiError(reply) }
        // `mail` can be null (no mailbox): fall back to the sign-in name.
        return ProviderAccount(id: id, email: (json["mail"] as? String) ?? (json["userPrincipalName"] as? String), name: json["displayName"] as? String)
    }

    /// Microsoft has no revocation endpoint for one app's tokens; the user removes the app.
    public func revoke(_ tokens: TokenSet) async throws -> Bool { false }
}

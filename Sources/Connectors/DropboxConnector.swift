import AsyncHTTPClient
import CirrusCore
import Foundation

/// Dropbox: 4-hour access tokens, a refresh token only with `token_access_type=offline`.
public struct DropboxConnector: CloudConnector {
    public let platform = Platform.dropbox
    /// The scopes requested at consent, known without a configured client.
    public static let requestedScopes = ["account_info.read", "files.metadata.read", "files.content.read"]
    public var scopes: [String] { Self.requestedScopes }
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
    }

    private var web: String { configuration.hosts.base("www.dropbox.com") }
    private var api: String { configuration.hosts.base("api.dropboxapi.com") }
    private var basicAuth: (String, String) {
        ("Authorization", "Basic " + Data("\(configuration.clientID):\(configuration.clientSecret)".utf8).base64EncodedString())
    }

    public func authorizationURL(state: String, codeChallenge: String) -> String {
        web + "/oauth2/authorize?" + ProviderHTTP.query([
            ("client_id", configuration.clientID), ("response_type", "code"), ("redirect_uri", configuration.redirectURI),
            ("state", state), ("token_access_type", "offline"), ("scope", scopes.joined(separator: " ")),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ])
    }

    public func exchange(code: String, codeVerifier: String) async throws -> TokenSet {
        let reply = try await http.postForm(api + "/oauth2/token", [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", configuration.redirectURI), ("code_verifier", codeVerifier),
        ], headers: [basicAuth])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func refresh(refreshToken: String) async throws -> TokenSet {
        let reply = try await http.postForm(api + "/oauth2/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], headers: [basicAuth])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func account(accessToken: String) async throws -> ProviderAccount {
        // A Void route: the body is the literal `null`.
        let reply = try await http.send(
            .POST, api + "/2/users/get_current_account",
            headers: [("Authorization", "Bearer \(accessToken)"), ("Content-Type", "application/json")], body: Array("null".utf8))
        guard reply.status == 200, let json = reply.json, let id = json["account_id"] as? String else { throw ProviderHTTP.apiError(reply) }
        return ProviderAccount(id: id, email: json["email"] as? String, name: (json["name"] as? [String: Any])?["display_name"] as? String)
    }

    public func revoke(_ tokens: TokenSet) async throws -> Bool {
        let reply = try await http.send(
            .POST, api + "/2/auth/token/revoke",
            headers: [("Authorization", "Bearer \(tokens.accessToken)"), ("Content-Type", "application/json")], body: Array("null".utf8))
        guard reply.status == 200 || reply.status == 401 else { throw ProviderHTTP.apiError(reply) }
        return true
    }
}

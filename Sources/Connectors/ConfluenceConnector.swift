import AsyncHTTPClient
import CirrusCore
import Foundation

/// Confluence Cloud through Atlassian OAuth 2.0 (3LO): rotating refresh tokens, the site
/// (cloud id) found through accessible-resources.
public struct ConfluenceConnector: CloudConnector {
    public let platform = Platform.confluence
    /// The scopes requested at consent, known without a configured client.
    public static let requestedScopes = [
        "read:page:confluence", "read:space:confluence", "read:attachment:confluence", "read:content.metadata:confluence",
        "search:confluence", "readonly:content.attachment:confluence", "read:me", "offline_access",
    ]
    public var scopes: [String] { Self.requestedScopes }
    let configuration: ConnectorConfiguration
    let http: ProviderHTTP

    public init(configuration: ConnectorConfiguration, http: ProviderHTTP) {
        self.configuration = configuration
        self.http = http
    }

    private var auth: String { configuration.hosts.base("auth.atlassian.com") }
    private var api: String { configuration.hosts.base("api.atlassian.com") }

    public func authorizationURL(state: String, codeChallenge: String) -> String {
        auth + "/authorize?" + ProviderHTTP.query([
            ("audience", "api.atlassian.com"), ("client_id", configuration.clientID), ("scope", scopes.joined(separator: " ")),
            ("redirect_uri", configuration.redirectURI), ("state", state), ("response_type", "code"), ("prompt", "consent"),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ])
    }

    public func exchange(code: String, codeVerifier: String) async throws -> TokenSet {
        let reply = try await http.postJSON(auth + "/oauth/token", [
            "grant_type": "authorization_code", "client_id": configuration.clientID, "client_secret": configuration.clientSecret,
            "code": code, "redirect_uri": configuration.redirectURI, "code_verifier": codeVerifier,
        ])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func refresh(refreshToken: String) async throws -> TokenSet {
        let reply = try await http.postJSON(auth + "/oauth/token", [
            "grant_type": "refresh_token", "client_id": configuration.clientID, "client_secret": configuration.clientSecret,
            "refresh_token": refreshToken,
        ])
        return try ProviderHTTP.tokenSet(reply, requestedScopes: scopes)
    }

    public func account(accessToken: String) async throws -> ProviderAccount {
        let me = try await http.get(api + "/me", bearer: accessToken)
        guard me.status == 200, let json = me.json, let id = json["account_id"] as? String else { throw ProviderHTTP.apiError(me) }
        let resources = try await http.get(api + "/oauth/token/accessible-resources", bearer: accessToken)
        guard resources.status == 200,
            let list = (try? JSONSerialization.jsonObject(with: Data(resources.body))) as? [[String: Any]]
        else { throw ProviderHTTP.apiError(resources) }
        // Only sites whose grant carries Confluence scopes; the list's order means nothing.
        let sites = list.filter { (($0["scopes"] as? [String]) ?? []).contains { $0.hasSuffix(":confluence") } }
            .compactMap { site -> ProviderAccount.Site? in
                guard let id = site["id"] as? String, let name = site["name"] as? String, let url = site["url"] as? String else { return nil }
                return ProviderAccount.Site(id: id, name: name, url: url)
            }
            .sorted { $0.name < $1.name }
        return ProviderAccount(id: id, email: json["email"] as? String, name: json["name"] as? String, sites: sites)
    }

    /// Atlassian has no revocation endpoint for 3LO grants; the user removes the app.
    public func revoke(_ tokens: TokenSet) async throws -> Bool { false }
}

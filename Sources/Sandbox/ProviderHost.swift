/// The real hosts the sandbox stands in for. A request to `https://HOST/PATH` is served by the
/// sandbox at `http://127.0.0.1:PORT/HOST/PATH`, so a connector needs only its base URL changed.
public enum ProviderHost: String, CaseIterable, Sendable {
    case googleAccounts = "accounts.google.com"
    case googleOAuth = "oauth2.googleapis.com"
    case googleAPIs = "www.googleapis.com"
    /// Where Drive's `exportLinks` point (exports without the 10 MB cap).
    case googleDocs = "docs.google.com"
    case microsoftLogin = "login.microsoftonline.com"
    case microsoftGraph = "graph.microsoft.com"
    /// Where Graph's pre-authenticated download URLs point.
    case sharePoint = "githafconsulting.sharepoint.com"
    case dropboxWeb = "www.dropbox.com"
    case dropboxAPI = "api.dropboxapi.com"
    case dropboxContent = "content.dropboxapi.com"
    case dropboxNotify = "notify.dropboxapi.com"
    case atlassianAuth = "auth.atlassian.com"
    case atlassianAPI = "api.atlassian.com"
    /// Where Confluence attachment downloads redirect (signed, short-lived URLs).
    case atlassianMedia = "api.media.atlassian.com"

    /// Splits a sandbox request path into the host it addresses and the provider's own path:
    /// `/graph.microsoft.com/v1.0/me` → (`.microsoftGraph`, `/v1.0/me`).
    public static func route(_ path: String) -> (host: ProviderHost, path: String)? {
        let trimmed = path.drop { $0 == "/" }
        let hostPart = trimmed.prefix { $0 != "/" }
        guard let host = ProviderHost(rawValue: String(hostPart)) else { return nil }
        let rest = trimmed.dropFirst(hostPart.count)
        return (host, rest.isEmpty ? "/" : String(rest))
    }

    /// The base URL a connector uses for this host when pointed at a sandbox on `port`.
    public func sandboxBaseURL(port: Int) -> String {
        "http://127.0.0.1:\(port)/\(rawValue)"
    }
}

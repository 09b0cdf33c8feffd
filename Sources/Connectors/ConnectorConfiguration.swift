import Foundation

/// Where a connector sends requests for each real provider host: `https://HOST` in production,
/// `http://127.0.0.1:PORT/HOST` against the sandbox (whose port may be known only at start-up).
public struct HostResolver: Sendable {
    private let resolve: @Sendable (String) -> String

    public init(_ resolve: @escaping @Sendable (String) -> String) {
        self.resolve = resolve
    }

    /// The base URL standing in for `https://host`.
    public func base(_ host: String) -> String { resolve(host) }

    public static let production = HostResolver { "https://\($0)" }
}

/// What a connector needs from the operator: the OAuth client registered with the provider.
public struct ConnectorConfiguration: Sendable {
    public var clientID: String
    public var clientSecret: String
    /// `{API_BASE_URL}/api/v1/integrations/{platform}/callback`, registered exactly at the provider.
    public var redirectURI: String
    /// Microsoft only: `common`, `organizations`, `consumers` or a tenant id.
    public var tenant: String
    public var hosts: HostResolver

    public init(clientID: String, clientSecret: String, redirectURI: String, tenant: String = "common", hosts: HostResolver = .production) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.tenant = tenant
        self.hosts = hosts
    }
}

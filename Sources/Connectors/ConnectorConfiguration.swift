import Foundation

/// Where a connector sends requests for each real provider host: `https://HOST` in production,
/// `http://127.0.0.1:PORT/HOST` against the sandbox (whose port may be known only at start-up).
public struct HostResolver: Sendable {
    /// The stand-in origin serving `/HOST/PATH`, or `nil` for the real hosts.
    private let standIn: @Sendable () -> String?

    private init(standIn: @escaping @Sendable () -> String?) {
        self.standIn = standIn
    }

    public static let production = HostResolver { nil }

    /// Every host served by one origin under `/HOST/…` (the provider sandbox).
    public static func standIn(origin: @escaping @Sendable () -> String) -> HostResolver {
        HostResolver { origin() }
    }

    /// The base URL standing in for `https://host`.
    public func base(_ host: String) -> String {
        standIn().map { "\($0)/\(host)" } ?? "https://\(host)"
    }

    /// Whether requests go to a stand-in (the sandbox) rather than the real hosts.
    public var isStandIn: Bool { standIn() != nil }

    /// The real host a URL addresses, or `nil` if this resolver would never produce it: in
    /// production an `https` URL on the default port without credentials; against a stand-in,
    /// a URL on exactly the stand-in's origin.
    public func providerHost(of url: URL) -> String? {
        guard url.user == nil, url.password == nil, let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty else {
            return nil
        }
        guard let origin = standIn() else {
            return scheme == "https" && (url.port == nil || url.port == 443) ? host : nil
        }
        guard let expected = URL(string: origin), scheme == expected.scheme?.lowercased(), host == expected.host?.lowercased(),
            url.port == expected.port
        else { return nil }
        return url.path.split(separator: "/").first.map { $0.lowercased() }
    }
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
    /// Microsoft only: whether Graph change notifications are used, which needs the
    /// `Files.ReadWrite.All` scope (Graph refuses subscriptions on files without it).
    public var graphSubscriptions: Bool

    public init(
        clientID: String, clientSecret: String, redirectURI: String, tenant: String = "common", hosts: HostResolver = .production,
        graphSubscriptions: Bool = false
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.tenant = tenant
        self.hosts = hosts
        self.graphSubscriptions = graphSubscriptions
    }
}

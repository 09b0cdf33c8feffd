import CirrusCore
import Connectors

/// The OAuth app Cirrus signs in to one provider with, and where that provider's hosts are.
public struct ProviderApp: Sendable {
    public var clientID: String
    public var clientSecret: Secret<String>
    /// Microsoft only: `common`, `organizations`, `consumers` or a tenant id.
    public var tenant: String
    public var hosts: HostResolver

    public init(clientID: String, clientSecret: Secret<String>, tenant: String = "common", hosts: HostResolver = .production) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tenant = tenant
        self.hosts = hosts
    }
}

/// The providers this server can connect to, chosen by the composition root: the operator's
/// OAuth apps against the real hosts, or stand-ins (the provider sandbox of demo mode).
public struct ProviderSetup: Sendable {
    public var apps: [Platform: ProviderApp]
    /// The providers are stand-ins: pages say the data is demo data.
    public var standIn: Bool

    public init(apps: [Platform: ProviderApp], standIn: Bool) {
        self.apps = apps
        self.standIn = standIn
    }

    /// The OAuth apps configured with `GOOGLE_CLIENT_ID` & co., against the real hosts.
    public static func configured(_ config: AppConfig) -> ProviderSetup {
        ProviderSetup(
            apps: config.providers.mapValues { ProviderApp(clientID: $0.clientID, clientSecret: $0.clientSecret, tenant: $0.tenant ?? "common") },
            standIn: false)
    }

    /// The redirect URI registered at each provider for a server whose public URL is `baseURL`.
    public static func redirectURI(baseURL: String, platform: Platform) -> String {
        "\(baseURL)/api/v1/integrations/\(platform.rawValue)/callback"
    }
}

import CirrusCore
import Connectors
import Foundation

/// Builds the connector for each platform from the OAuth apps the composition root chose.
struct ConnectorRegistry: Sendable {
    let config: AppConfig
    let http: ProviderHTTP
    let setup: ProviderSetup

    func redirectURI(_ platform: Platform) -> String {
        ProviderSetup.redirectURI(baseURL: config.apiBaseURL, platform: platform)
    }

    /// Whether this platform can be connected (an OAuth app is set up for it).
    func isConfigured(_ platform: Platform) -> Bool {
        setup.apps[platform] != nil
    }

    /// The connector type of each platform: the one place a platform meets its provider.
    static func connectorType(_ platform: Platform) -> any ProviderConnector.Type {
        switch platform {
        case .googleDrive: GoogleDriveConnector.self
        case .microsoft: MicrosoftConnector.self
        case .dropbox: DropboxConnector.self
        case .confluence: ConfluenceConnector.self
        }
    }

    /// What is known about each platform's provider, also without a configured client: the
    /// scopes and pitfalls of the setup checklist, what is chosen after connecting, revocation.
    static func facts(_ platform: Platform) -> ProviderFacts { connectorType(platform).facts }

    /// Whether a platform's grant reaches several resources a connection chooses from.
    static func resourceChoice(_ platform: Platform) -> ResourceChoice? { facts(platform).resourceChoice }

    /// Where the configured providers' consent pages live (the stand-in's origin in demo mode),
    /// for the pages' `form-action`: read from the facts, no connector is built per page.
    var consentOrigins: [String] {
        let origins = setup.apps.compactMap { platform, app -> String? in
            guard let url = URLComponents(string: app.hosts.base(Self.facts(platform).oauth.authorizationHost)), let scheme = url.scheme, let host = url.host
            else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        return Array(Set(origins)).sorted()
    }

    /// The facts as this server's configuration changes them: Graph change notifications ask
    /// for a write scope.
    func configuredFacts(_ platform: Platform) -> ProviderFacts {
        platform == .microsoft ? MicrosoftConnector.facts(graphSubscriptions: graphSubscriptions) : Self.facts(platform)
    }

    /// Whether Microsoft 365 connections use Graph change notifications.
    var graphSubscriptions: Bool { config.syncPush && config.syncPushMicrosoft }

    func connector(_ platform: Platform) throws -> any CloudConnector {
        guard let app = setup.apps[platform] else { throw IntegrationError.notConfigured(platform) }
        let configuration = ConnectorConfiguration(
            clientID: app.clientID, clientSecret: app.clientSecret.revealed, redirectURI: redirectURI(platform), tenant: app.tenant, hosts: app.hosts,
            graphSubscriptions: graphSubscriptions)
        return Self.connectorType(platform).init(configuration: configuration, http: http)
    }
}

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

    /// What is known about each platform's provider, also without a configured client: the
    /// scopes and pitfalls of the setup checklist, what is chosen after connecting, revocation.
    static func facts(_ platform: Platform) -> ProviderFacts {
        switch platform {
        case .googleDrive: GoogleDriveConnector.facts
        case .microsoft: MicrosoftConnector.facts
        case .dropbox: DropboxConnector.facts
        case .confluence: ConfluenceConnector.facts
        }
    }

    /// The scopes each platform asks for.
    static func scopes(_ platform: Platform) -> [String] { facts(platform).scopes }

    /// Whether a platform's grant reaches several resources a connection chooses from.
    static func resourceChoice(_ platform: Platform) -> ResourceChoice? { facts(platform).resourceChoice }

    /// Where the configured providers' consent pages live (the stand-in's origin in demo mode).
    var consentOrigins: [String] {
        let origins = Platform.allCases.compactMap { platform -> String? in
            guard let connector = try? connector(platform),
                let url = URLComponents(string: connector.authorizationURL(state: "", codeChallenge: "")), let scheme = url.scheme, let host = url.host
            else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        return Array(Set(origins)).sorted()
    }

    func connector(_ platform: Platform) throws -> any CloudConnector {
        guard let app = setup.apps[platform] else { throw IntegrationError.notConfigured(platform) }
        let configuration = ConnectorConfiguration(
            clientID: app.clientID, clientSecret: app.clientSecret.revealed, redirectURI: redirectURI(platform), tenant: app.tenant, hosts: app.hosts)
        switch platform {
        case .googleDrive: return GoogleDriveConnector(configuration: configuration, http: http)
        case .microsoft: return MicrosoftConnector(configuration: configuration, http: http)
        case .dropbox: return DropboxConnector(configuration: configuration, http: http)
        case .confluence: return ConfluenceConnector(configuration: configuration, http: http)
        }
    }
}

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

    /// The scopes each platform asks for, also for the setup checklist of an unconfigured one.
    static func scopes(_ platform: Platform) -> [String] {
        switch platform {
        case .googleDrive: GoogleDriveConnector.requestedScopes
        case .microsoft: MicrosoftConnector.requestedScopes
        case .dropbox: DropboxConnector.requestedScopes
        case .confluence: ConfluenceConnector.requestedScopes
        }
    }

    /// Whether a platform's grant reaches several resources a connection chooses from.
    static func resourceChoice(_ platform: Platform) -> ResourceChoice? {
        switch platform {
        case .confluence: ConfluenceConnector.sites
        case .googleDrive, .microsoft, .dropbox: nil
        }
    }

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

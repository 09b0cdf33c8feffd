import CirrusCore
import Connectors
import Foundation

/// Calls a provider on a user's behalf: a valid token, the connection's chosen resource, and one
/// retry with a refreshed token when the provider refuses the stored one.
struct ProviderAccess: Sendable {
    let platform: Platform
    let userID: UUID
    let workspaceID: UUID
    let tokens: TokenManager
    let connector: any CloudConnector

    init(_ platform: Platform, userID: UUID, workspaceID: UUID, connector: any CloudConnector, tokens: TokenManager) {
        self.platform = platform
        self.userID = userID
        self.workspaceID = workspaceID
        self.tokens = tokens
        self.connector = connector
    }

    /// The resource the connection reads (`nil` for platforms without a choice), from the store.
    func siteID() async throws -> String? {
        guard connector.resourceChoice != nil else { return nil }
        return try await tokens.connection(platform, userID: userID, workspaceID: workspaceID).siteID
    }

    /// Runs `work` with the connection's session; the connection is read from the store once.
    /// - Parameter needsResource: file calls need the chosen resource (a Confluence site);
    ///   account lookups do not.
    func callAsFunction<T: Sendable>(needsResource: Bool = true, _ work: @Sendable (any CloudConnector, ProviderSession) async throws -> T) async throws -> T {
        let connection = try await tokens.connection(platform, userID: userID, workspaceID: workspaceID)
        if needsResource, let choice = connector.resourceChoice, connection.siteID == nil { throw IntegrationError.noResource(platform, choice) }
        let token = try await tokens.accessToken(for: connection, platform: platform)
        do {
            return try await work(connector, ProviderSession(accessToken: token, siteID: connection.siteID, siteURL: connection.siteURL))
        } catch ConnectorError.unauthorized {
            // The provider refused a token we thought valid (expired early, revoked): refresh once.
            let fresh = try await tokens.refresh(connection.requireID(), platform: platform, rejected: token)
            return try await work(connector, ProviderSession(accessToken: fresh, siteID: connection.siteID, siteURL: connection.siteURL))
        }
    }
}

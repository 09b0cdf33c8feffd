import CirrusCore
import FluentKit
import Foundation

/// One user's view of one platform: whether it is connected and as whom.
struct IntegrationSummary: Sendable {
    enum Status: String, Sendable {
        case connected
        case needsReconnect = "needs_reconnect"
        case notConnected = "not_connected"
    }

    let platform: Platform
    let status: Status
    let accountEmail: String?
    let accountName: String?
    let connectedAt: Date?
    /// Confluence: the site read, and every site the grant reaches.
    var siteID: String? = nil
    var sites: [UserIntegration.Site] = []
    /// How many synced sources read this connection.
    var syncedSources = 0
    /// The scopes the provider granted (what it said it granted, which may be fewer than asked).
    var grantedScopes: [String] = []
}

/// Reads the signed-in user's connections. Always scoped to one user: there is no way to ask
/// for someone else's.
struct IntegrationDirectory: Sendable {
    let store: Store

    /// All four platforms, in display order, with this user's status on each.
    func summaries(for identity: Identity) async throws -> [IntegrationSummary] {
        let rows = try await UserIntegration.query(on: store.database)
            .filter(\.$user.$id == identity.userID)
            .filter(\.$workspace.$id == identity.workspaceID)
            .all()
        let byPlatform = Dictionary(rows.map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
        let sources = try await SyncedSource.query(on: store.database).filter(\.$user.$id == identity.userID)
            .filter(\.$workspace.$id == identity.workspaceID).all(\.$platform)
        return Platform.allCases.map { platform in
            let synced = sources.filter { $0 == platform }.count
            guard let row = byPlatform[platform] else {
                return IntegrationSummary(
                    platform: platform, status: .notConnected, accountEmail: nil, accountName: nil, connectedAt: nil, syncedSources: synced)
            }
            return IntegrationSummary(
                platform: platform, status: row.status == .active ? .connected : .needsReconnect,
                accountEmail: row.accountEmail, accountName: row.accountName, connectedAt: row.createdAt,
                siteID: row.siteID, sites: row.sites, syncedSources: synced, grantedScopes: row.scopes)
        }
    }
}

extension Platform {
    /// What a person is told once this platform is disconnected: whether Cirrus's access was
    /// revoked at the provider, or where to revoke it by hand.
    func disconnectedMessage(revoked: Bool) -> String {
        if let place = ConnectorRegistry.facts(self).removeAppAt {
            return "\(displayName) disconnected. The provider has no way for an app to revoke itself: remove Cirrus at \(place)."
        }
        return revoked ? "\(displayName) disconnected and access revoked at \(displayName)." : "\(displayName) disconnected."
    }
}

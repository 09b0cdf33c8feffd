import CirrusCore
import FluentKit
import Foundation

/// The website widget's settings, its site key, and which site a public request is for.
struct WidgetService: Sendable {
    let store: Store
    let audit: Audit
    /// The server's public origin: its own pages (the settings page's preview) may use the widget.
    let ownOrigin: String

    /// The workspace's widget, made (switched off, with a new site key) on first read.
    func profile(for workspaceID: UUID) async throws -> WidgetProfile {
        Self.profile(try await row(for: workspaceID))
    }

    @discardableResult
    func update(_ change: WidgetChange, by identity: Identity, clientAddress: String?) async throws -> WidgetProfile {
        let row = try await row(for: identity.workspaceID)
        let profile = try change.applied(to: Self.profile(row))
        Self.copy(profile, into: row)
        try await row.save(on: store.database)
        await audit.record(
            .widgetChanged, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, clientAddress: clientAddress)
        return profile
    }

    /// The workspace's row, made on first read.
    private func row(for workspaceID: UUID) async throws -> WidgetSettings {
        let saved = { try await WidgetSettings.query(on: store.database).filter(\.$workspace.$id == workspaceID).first() }
        if let row = try await saved() { return row }
        let row = WidgetSettings()
        row.$workspace.id = workspaceID
        Self.copy(WidgetProfile.defaults(siteKey: SecureToken.make(byteCount: 16)), into: row)
        do {
            try await row.create(on: store.database)
        } catch {
            // Another request made it first.
            if let row = try await saved() { return row }
            throw error
        }
        return row
    }

    /// The site a public request names, if `origin` may use it: its workspace and widget.
    /// Anything else — an unknown key, a widget switched off, an origin not listed — is the one
    /// ``WidgetError/originNotAllowed``, so a caller learns nothing about which it was.
    func site(_ siteKey: String, origin: String?) async throws -> WidgetSite {
        guard siteKey.count <= 64,
            let row = try await WidgetSettings.query(on: store.database).filter(\.$siteKey == siteKey).first()
        else { throw WidgetError.originNotAllowed }
        let profile = Self.profile(row)
        guard profile.admits(origin, ownOrigin: ownOrigin) else { throw WidgetError.originNotAllowed }
        return WidgetSite(key: siteKey, workspaceID: row.$workspace.id, profile: profile)
    }

    private static func profile(_ row: WidgetSettings) -> WidgetProfile {
        WidgetProfile(
            siteKey: row.siteKey, enabled: row.enabled,
            allowedOrigins: (try? JSONDecoder().decode([String].self, from: Data(row.allowedOriginsJSON.utf8))) ?? [], colour: row.colour,
            position: row.position, launcherText: row.launcherText)
    }

    private static func copy(_ profile: WidgetProfile, into row: WidgetSettings) {
        row.siteKey = profile.siteKey
        row.enabled = profile.enabled
        row.allowedOriginsJSON = JSONCoding.text(profile.allowedOrigins)
        row.colour = profile.colour
        row.position = profile.position
        row.launcherText = profile.launcherText
    }
}

/// A widget site a public request was admitted to (its origin checked), as the CORS middleware
/// found it for the routes.
struct WidgetSite: Sendable {
    let key: String
    let workspaceID: UUID
    let profile: WidgetProfile
}

import CirrusCore
import FluentKit
import Foundation

/// Whether a connection can be used.
enum IntegrationStatus: String, Codable, Sendable {
    case active
    /// The provider refused the refresh token (revoked, expired, rotated away): the admin
    /// must reconnect. The row and its documents are kept.
    case needsReconnect = "needs_reconnect"
}

/// One user's connection to one provider (the seed's `user_integrations` table). Both tokens
/// are stored sealed by the ``TokenVault``.
final class UserIntegration: Model, @unchecked Sendable {
    static let schema = "user_integrations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "platform") var platform: Platform
    @Field(key: "access_token") var sealedAccessToken: String
    @OptionalField(key: "refresh_token") var sealedRefreshToken: String?
    @OptionalField(key: "token_expires_at") var tokenExpiresAt: Date?
    @OptionalField(key: "account_email") var accountEmail: String?
    @OptionalField(key: "account_name") var accountName: String?
    @Field(key: "scopes") var scopes: [String]
    @Enum(key: "status") var status: IntegrationStatus
    @OptionalField(key: "provider_account_id") var providerAccountID: String?
    /// Confluence: the site (cloud id) this connection reads.
    @OptionalField(key: "site_id") var siteID: String?
    @OptionalField(key: "site_url") var siteURL: String?
    /// Confluence: every site the grant reaches, as JSON `[{"id","name","url"}]`, to choose from.
    @OptionalField(key: "sites") var sitesJSON: String?
    @OptionalField(key: "last_refreshed_at") var lastRefreshedAt: Date?
    /// Set when a refresh failed for a reason other than a dead grant; refreshes pause briefly after it.
    @OptionalField(key: "refresh_failed_at") var refreshFailedAt: Date?
    /// The process refreshing this connection right now (a random id), and since when; see ``TokenManager``.
    @OptionalField(key: "refresh_claim") var refreshClaim: String?
    @OptionalField(key: "refresh_claimed_at") var refreshClaimedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    struct Site: Codable, Sendable, Equatable {
        let id: String
        let name: String
        let url: String
    }

    var sites: [Site] {
        get { sitesJSON.flatMap { try? JSONDecoder().decode([Site].self, from: Data($0.utf8)) } ?? [] }
        set { sitesJSON = (try? JSONEncoder().encode(newValue)).map { String(decoding: $0, as: UTF8.self) } }
    }

    init(
        userID: UUID, workspaceID: UUID, platform: Platform, sealedAccessToken: String,
        sealedRefreshToken: String?, tokenExpiresAt: Date?, accountEmail: String?, accountName: String?,
        scopes: [String]
    ) {
        self.$user.id = userID
        self.$workspace.id = workspaceID
        self.platform = platform
        self.sealedAccessToken = sealedAccessToken
        self.sealedRefreshToken = sealedRefreshToken
        self.tokenExpiresAt = tokenExpiresAt
        self.accountEmail = accountEmail
        self.accountName = accountName
        self.scopes = scopes
        self.status = .active
    }
}

import CirrusCore
import Connectors
import FluentKit
import Foundation
import Logging
import SQLKit

/// Hands out usable access tokens for connections, refreshing ahead of expiry.
///
/// One refresh at a time per connection: in this process through a task per connection, and
/// across processes through a claim on the row (see ``performRefresh(_:platform:rejected:)``);
/// no database connection is held while the provider answers. A rotated refresh token is stored before the new access token is used;
/// a response without one keeps the old. `invalid_grant` marks the connection
/// `needs_reconnect` (never deleted); other failures pause refreshes for a minute.
actor TokenManager {
    let deps: Dependencies
    let refreshAhead: TimeInterval = 600
    let cooldown: TimeInterval = 60
    private var inFlight: [UUID: Task<String, any Error>] = [:]

    init(deps: Dependencies) {
        self.deps = deps
    }

    /// A valid access token for a connection already read from the store, refreshed first when
    /// it expires soon.
    func accessToken(for integration: UserIntegration, platform: Platform) async throws -> String {
        guard integration.status == .active else { throw IntegrationError.needsReconnect(platform) }
        if let expires = integration.tokenExpiresAt, expires.timeIntervalSinceNow < refreshAhead {
            return try await refresh(integration.requireID(), platform: platform, rejected: nil)
        }
        return try deps.vault.open(integration.sealedAccessToken)
    }

    func connection(_ platform: Platform, userID: UUID, workspaceID: UUID) async throws -> UserIntegration {
        guard
            let integration = try await UserIntegration.query(on: deps.store.database)
                .filter(\.$user.$id == userID).filter(\.$workspace.$id == workspaceID)
                .filter(\.$platform == platform).first()
        else { throw IntegrationError.notConnected(platform) }
        return integration
    }

    /// Refreshes once however many callers ask at the same time.
    /// - Parameter rejected: the access token the provider just refused, if that is why.
    func refresh(_ id: UUID, platform: Platform, rejected: String?) async throws -> String {
        if let running = inFlight[id] { return try await running.value }
        let task = Task { try await self.performRefresh(id, platform: platform, rejected: rejected) }
        inFlight[id] = task
        defer { inFlight[id] = nil }
        return try await task.value
    }

    /// How long a refresh claim holds before another process may take it over: longer than a
    /// refresh with all its retries takes, so a live claim is never stolen; a process that died
    /// mid-refresh delays the next one by at most this much.
    static let claimLease: TimeInterval = 150
    /// How often a caller waiting for another process's refresh looks at the row again.
    static let claimPoll: Duration = .milliseconds(100)

    /// Refreshes a connection holding no database connection while the provider answers.
    ///
    /// 1. Claim the row with one conditional `UPDATE` (a random id and the time): only one
    ///    process holds a live claim, so there is still exactly one refresh across processes.
    ///    A caller that cannot claim waits for the holder and then uses its token.
    /// 2. With the claim, re-read the row: a token another process stored meanwhile is used as is.
    /// 3. Call the provider with no transaction open.
    /// 4. Commit in a second conditional `UPDATE` that also checks the stored access token did not
    ///    change meanwhile (a reconnect wins over a refresh that raced it).
    private func performRefresh(_ id: UUID, platform: Platform, rejected: String?) async throws -> String {
        let waitStarted = ContinuousClock.now
        let claim = UUID().uuidString
        let integration: UserIntegration
        while true {
            let claimed = try await takeClaim(id, claim: claim)
            guard let row = try await UserIntegration.find(id, on: deps.store.database) else {
                throw IntegrationError.notConnected(platform)
            }
            guard row.status == .active else {
                if claimed { try await releaseClaim(id, claim: claim, failedAt: nil) }
                throw IntegrationError.needsReconnect(platform)
            }
            // Another process may have refreshed while we waited: use its token when it is not
            // the one the provider refused and not about to expire.
            if let token = try usableStoredToken(row, rejected: rejected) {
                if claimed { try await releaseClaim(id, claim: claim, failedAt: nil) }
                return token
            }
            if claimed {
                integration = row
                break
            }
            guard ContinuousClock.now - waitStarted < .seconds(Self.claimLease) else {
                throw ConnectorError.unavailable("another server is still refreshing this connection")
            }
            try await Task.sleep(for: Self.claimPoll)
        }

        if let failed = integration.refreshFailedAt, Date().timeIntervalSince(failed) < cooldown {
            try await releaseClaim(id, claim: claim, failedAt: nil)
            deps.metrics.recordRefresh(platform: platform, result: "failure")
            throw ConnectorError.unavailable("the last refresh failed less than a minute ago")
        }
        guard let sealed = integration.sealedRefreshToken else {
            try await markNeedsReconnect(id, claim: claim)
            try await reportNeedsReconnect(integration, platform: platform, reason: "no refresh token was issued")
        }
        let connector = try deps.connectors.connector(platform)
        let tokens: TokenSet
        do {
            tokens = try await connector.refresh(refreshToken: try deps.vault.open(sealed))
        } catch ConnectorError.invalidGrant(let reason) {
            try await markNeedsReconnect(id, claim: claim)
            try await reportNeedsReconnect(integration, platform: platform, reason: String(reason.prefix(120)))
        } catch {
            try? await releaseClaim(id, claim: claim, failedAt: Date())
            deps.metrics.recordRefresh(platform: platform, result: "failure")
            // The refresh before this one failed too: it is not a blip.
            if integration.refreshFailedAt != nil {
                await deps.notifications.notify(
                    .refreshFailing, userID: integration.$user.id, workspaceID: integration.$workspace.id, subject: "refresh:\(id)",
                    title: "Refreshing the \(platform.displayName) connection keeps failing",
                    body:
                        "\(platform.displayName) did not answer the last refreshes of its access token. Imports and sync from it are retried; if it goes on, check the provider's status.",
                    link: .integrationsPage)
            }
            throw error
        }
        // The rotated refresh token is saved before anyone uses the new access token.
        let stored = try await commitRefresh(
            id, claim: claim, previousAccessToken: integration.sealedAccessToken,
            accessToken: deps.vault.seal(tokens.accessToken),
            refreshToken: tokens.refreshToken.map { deps.vault.seal($0) } ?? sealed, expiresAt: tokens.expiresAt)
        guard stored else {
            // The row changed while the provider answered (a reconnect, a disconnect): it wins.
            guard let row = try await UserIntegration.find(id, on: deps.store.database) else { throw IntegrationError.notConnected(platform) }
            guard row.status == .active else { throw IntegrationError.needsReconnect(platform) }
            return try deps.vault.open(row.sealedAccessToken)
        }
        deps.metrics.recordRefresh(platform: platform, result: "success")
        return tokens.accessToken
    }

    /// The stored access token when it can be used instead of refreshing.
    private func usableStoredToken(_ row: UserIntegration, rejected: String?) throws -> String? {
        let stored = try deps.vault.open(row.sealedAccessToken)
        if let rejected { return stored != rejected ? stored : nil }
        if let expires = row.tokenExpiresAt, expires.timeIntervalSinceNow >= refreshAhead { return stored }
        return nil
    }

    private var sql: any SQLDatabase { deps.store.sql }

    /// Takes the refresh claim when nobody holds a live one; true when this call took it.
    private func takeClaim(_ id: UUID, claim: String) async throws -> Bool {
        let now = Date()
        let rows = try await sql.raw(
            """
            UPDATE user_integrations SET refresh_claim = \(bind: claim), refresh_claimed_at = \(bind: now)
            WHERE id = \(bind: id) AND (refresh_claim IS NULL OR refresh_claimed_at < \(bind: now.addingTimeInterval(-Self.claimLease)))
            RETURNING id
            """
        ).all()
        return !rows.isEmpty
    }

    private func releaseClaim(_ id: UUID, claim: String, failedAt: Date?) async throws {
        if let failedAt {
            try await sql.raw(
                """
                UPDATE user_integrations SET refresh_claim = NULL, refresh_claimed_at = NULL, refresh_failed_at = \(bind: failedAt)
                WHERE id = \(bind: id) AND refresh_claim = \(bind: claim)
                """
            ).run()
        } else {
            try await sql.raw(
                """
                UPDATE user_integrations SET refresh_claim = NULL, refresh_claimed_at = NULL
                WHERE id = \(bind: id) AND refresh_claim = \(bind: claim)
                """
            ).run()
        }
    }

    private func markNeedsReconnect(_ id: UUID, claim: String) async throws {
        try await sql.raw(
            """
            UPDATE user_integrations SET status = \(bind: IntegrationStatus.needsReconnect.rawValue), refresh_claim = NULL,
                refresh_claimed_at = NULL, updated_at = \(bind: Date())
            WHERE id = \(bind: id) AND refresh_claim = \(bind: claim)
            """
        ).run()
    }

    private func reportNeedsReconnect(_ integration: UserIntegration, platform: Platform, reason: String) async throws -> Never {
        deps.metrics.recordRefresh(platform: platform, result: "invalid_grant")
        await deps.audit.record(
            .refreshFailed, workspaceID: integration.$workspace.id, actorID: integration.$user.id, actorEmail: nil, platform: platform.rawValue,
            detail: "the provider refused the refresh token (\(reason)); reconnect needed", clientAddress: nil)
        await deps.notifications.notify(
            .needsReconnect, userID: integration.$user.id, workspaceID: integration.$workspace.id, subject: "reconnect:\(integration.id?.uuidString ?? "")",
            title: "Reconnect \(platform.displayName)",
            body: "\(platform.displayName) no longer accepts the saved sign-in. Imports and sync from it wait until you reconnect; your documents are kept.",
            link: .integrationsPage)
        throw IntegrationError.needsReconnect(platform)
    }

    /// Stores refreshed tokens if this process still holds the claim and the row kept the
    /// access token it had when the refresh began; true when they were stored.
    private func commitRefresh(
        _ id: UUID, claim: String, previousAccessToken: String, accessToken: String, refreshToken: String, expiresAt: Date?
    ) async throws -> Bool {
        let now = Date()
        let rows = try await sql.raw(
            """
            UPDATE user_integrations SET access_token = \(bind: accessToken), refresh_token = \(bind: refreshToken),
                token_expires_at = \(bind: expiresAt), last_refreshed_at = \(bind: now), refresh_failed_at = NULL,
                refresh_claim = NULL, refresh_claimed_at = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: id) AND refresh_claim = \(bind: claim) AND access_token = \(bind: previousAccessToken)
            RETURNING id
            """
        ).all()
        if rows.isEmpty { try? await releaseClaim(id, claim: claim, failedAt: nil) }
        return !rows.isEmpty
    }
}

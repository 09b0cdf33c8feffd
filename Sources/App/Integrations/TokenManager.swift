import CirrusCore
import Connectors
import FluentKit
import Foundation
import Logging
import SQLKit

/// Hands out usable access tokens for connections, refreshing ahead of expiry.
///
/// One refresh at a time per connection: in this process through a task per connection, and
/// across processes on PostgreSQL through an advisory lock held while the row is re-read,
/// refreshed and saved. A rotated refresh token is stored before the new access token is used;
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
        guard let integration = try await UserIntegration.query(on: deps.store.database)
            .filter(\.$user.$id == userID).filter(\.$workspace.$id == workspaceID)
            .filter(\.$platform == platform.rawValue).first()
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

    /// What happened inside the refresh transaction; errors are raised only after it commits,
    /// so a `needs_reconnect` mark or a failure time is saved rather than rolled back.
    private enum RefreshOutcome: Sendable {
        case token(String)
        case refreshed(String)
        case needsReconnect(reason: String, workspace: UUID, user: UUID)
        case failed(ConnectorError)
    }

    private func performRefresh(_ id: UUID, platform: Platform, rejected: String?) async throws -> String {
        let deps = self.deps
        let refreshAhead = self.refreshAhead
        let cooldown = self.cooldown
        let outcome = try await deps.store.database.transaction { database -> RefreshOutcome in
            if deps.store.engine == .postgres, let sql = database as? any SQLDatabase {
                // Serialises refreshes of this connection across every process sharing the database.
                try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "cirrus-refresh-" + id.uuidString)))").run()
            }
            guard let integration = try await UserIntegration.find(id, on: database) else { throw IntegrationError.notConnected(platform) }
            guard integration.status == .active else { throw IntegrationError.needsReconnect(platform) }
            // Another process may have refreshed while we waited for the lock: use its token when it
            // is not the one the provider refused and not about to expire.
            let stored = try deps.vault.open(integration.sealedAccessToken)
            if let rejected {
                if stored != rejected { return .token(stored) }
            } else if let expires = integration.tokenExpiresAt, expires.timeIntervalSinceNow >= refreshAhead {
                return .token(stored)
            }
            if let failed = integration.refreshFailedAt, Date().timeIntervalSince(failed) < cooldown {
                return .failed(.unavailable("the last refresh failed less than a minute ago"))
            }
            guard let sealed = integration.sealedRefreshToken else {
                integration.status = .needsReconnect
                try await integration.save(on: database)
                return .needsReconnect(reason: "no refresh token was issued", workspace: integration.$workspace.id, user: integration.$user.id)
            }
            let connector = try deps.connectors.connector(platform)
            do {
                let tokens = try await connector.refresh(refreshToken: try deps.vault.open(sealed))
                // The rotated refresh token is saved before anyone uses the new access token.
                integration.sealedAccessToken = deps.vault.seal(tokens.accessToken)
                if let rotated = tokens.refreshToken { integration.sealedRefreshToken = deps.vault.seal(rotated) }
                integration.tokenExpiresAt = tokens.expiresAt
                integration.lastRefreshedAt = Date()
                integration.refreshFailedAt = nil
                try await integration.save(on: database)
                return .refreshed(tokens.accessToken)
            } catch ConnectorError.invalidGrant(let reason) {
                integration.status = .needsReconnect
                try await integration.save(on: database)
                return .needsReconnect(reason: String(reason.prefix(120)), workspace: integration.$workspace.id, user: integration.$user.id)
            } catch let error as ConnectorError {
                integration.refreshFailedAt = Date()
                try await integration.save(on: database)
                return .failed(error)
            }
        }
        switch outcome {
        case .token(let token):
            return token
        case .refreshed(let token):
            deps.metrics.recordRefresh(platform: platform, result: "success")
            return token
        case .needsReconnect(let reason, let workspace, let user):
            deps.metrics.recordRefresh(platform: platform, result: "invalid_grant")
            await deps.audit.record(
                .refreshFailed, workspaceID: workspace, actorID: user, actorEmail: nil, platform: platform.rawValue,
                detail: "the provider refused the refresh token (\(reason)); reconnect needed", clientAddress: nil)
            throw IntegrationError.needsReconnect(platform)
        case .failed(let error):
            deps.metrics.recordRefresh(platform: platform, result: "failure")
            throw error
        }
    }
}

import CirrusCore
import Connectors
import FluentKit
import Foundation
import Logging
import SQLKit

/// Starting and finishing a connection: state bound to the user, PKCE, code exchange, account
/// lookup, and storing the tokens sealed by the vault.
struct OAuthFlow: Sendable {
    let deps: Dependencies
    static let stateLifetime: TimeInterval = 600

    /// Pending flows a user may have at once; starting another drops the oldest.
    static let maxPendingPerUser = 10

    /// Creates the pending state and returns the provider URL to send the browser to.
    ///
    /// A flow started by cookie is bound to `browserNonce`, the value of the browser's
    /// `cirrus_oauth` cookie; one started with an API token is bound to that token. Only the same
    /// browser (signed in as the same user) or the same token can finish it (RFC 9700 §4.7.1).
    func start(_ platform: Platform, for identity: Identity, browserNonce: String?) async throws -> String {
        let connector = try deps.connectors.connector(platform)
        let state = SecureToken.make()
        let verifier = SecureToken.make(byteCount: 48)
        let pending = OAuthState()
        pending.stateHash = SecureToken.hash(state)
        pending.$user.id = identity.userID
        pending.$workspace.id = identity.workspaceID
        pending.platform = platform
        pending.sealedCodeVerifier = deps.vault.seal(verifier)
        pending.expiresAt = Date().addingTimeInterval(Self.stateLifetime)
        switch identity.method {
        case .bearer(let tokenID): pending.apiTokenID = tokenID
        case .session:
            guard let browserNonce else { throw IntegrationError.invalidState }
            pending.browserBindingHash = SecureToken.hash(browserNonce)
        case .apiKey: throw APIKeyError.personOnly
        }
        try await prunePending(for: identity.userID)
        try await pending.create(on: deps.store.database)
        return connector.authorizationURL(state: state, codeChallenge: PKCE.challenge(for: verifier))
    }

    /// Deletes this user's oldest states beyond the cap, so pages that start flows over and
    /// over cannot grow the table (everyone's expired states are purged by `MaintenanceService`).
    private func prunePending(for userID: UUID) async throws {
        let database = deps.store.database
        let kept = try await OAuthState.query(on: database).filter(\.$user.$id == userID)
            .sort(\.$createdAt, .descending).limit(Self.maxPendingPerUser - 1).all().compactMap(\.id)
        guard !kept.isEmpty else { return }
        try await OAuthState.query(on: database).filter(\.$user.$id == userID).filter(\.$id !~ kept).delete()
    }

    struct Outcome: Sendable {
        let summary: IntegrationSummary
        let reconnected: Bool
    }

    /// An OAuth `error` parameter as it may be shown and logged: the codes RFC 6749 §4.1.2.1
    /// defines are short ASCII words, so anything longer or with other characters (markup, line
    /// breaks, a novel) becomes `invalid_error_code`.
    /// The standard OAuth error codes a provider sends back (RFC 6749 §4.1.2.1) in our words;
    /// anything else is not repeated.
    static func describe(_ code: String) -> String {
        switch code {
        case "invalid_request": "the request was not valid"
        case "unauthorized_client", "invalid_client": "this server's OAuth app is not allowed to connect"
        case "unsupported_response_type": "the provider does not support this kind of sign-in"
        case "invalid_scope": "the permissions asked for are not available"
        case "server_error": "the provider had an error"
        case "temporarily_unavailable": "the provider is busy; try again shortly"
        case "consent_required", "interaction_required", "login_required": "the provider needs you to sign in and consent again"
        default: "an error (\(code))"
        }
    }

    static func errorCode(_ raw: String) -> String {
        let allowed = raw.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) }
        return allowed && !raw.isEmpty && raw.count <= 64 ? raw : "invalid_error_code"
    }

    /// Validates the state (single use, unexpired, same platform, and coming from whoever started
    /// it), exchanges the code and stores the connection.
    func finish(
        _ platform: Platform, code: String?, state: String?, providerError: String?, caller: Identity?, browserNonce: String?,
        clientAddress: String?
    ) async throws -> Outcome {
        guard let state, !state.isEmpty else { throw IntegrationError.invalidState }
        let database = deps.store.database
        // Claim the state by deleting it: a second use finds nothing, even under a race.
        guard let pending = try await OAuthState.query(on: database).filter(\.$stateHash == SecureToken.hash(state)).first() else {
            throw IntegrationError.invalidState
        }
        guard let sql = database as? any SQLDatabase,
            try await sql.raw("DELETE FROM oauth_states WHERE id = \(bind: try pending.requireID()) RETURNING id").all().count == 1,
            pending.platform == platform
        else { throw IntegrationError.invalidState }
        guard pending.expiresAt > Date() else { throw IntegrationError.expiredState }
        let user = try await User.find(pending.$user.id, on: database)
        try Self.checkBinding(pending, caller: caller, browserNonce: browserNonce, starterEmail: user?.email)
        let record = { (action: Audit.Action, detail: String?) in
            await deps.audit.record(
                action, workspaceID: pending.$workspace.id, actorID: pending.$user.id, actorEmail: user?.email, platform: platform.rawValue,
                detail: detail, clientAddress: clientAddress)
        }
        if let providerError = providerError.map(Self.errorCode) {
            deps.metrics.recordOAuth(platform: platform, result: "denied")
            await record(.connectFailed, providerError == "access_denied" ? "access denied at the provider" : "provider error \(providerError)")
            throw providerError == "access_denied"
                ? IntegrationError.providerDenied(platform) : IntegrationError.providerError(platform, Self.describe(providerError))
        }
        guard let code, !code.isEmpty else { throw IntegrationError.invalidState }
        let connector = try deps.connectors.connector(platform)
        let tokens: TokenSet
        let account: ProviderAccount
        do {
            tokens = try await connector.exchange(code: code, codeVerifier: try deps.vault.open(pending.sealedCodeVerifier))
            account = try await connector.account(accessToken: tokens.accessToken)
        } catch let error as ConnectorError {
            deps.metrics.recordOAuth(platform: platform, result: "failure")
            await record(.connectFailed, error.code)
            if let detail = error.providerDetail {
                deps.logger.notice(
                    "connecting was refused by the provider", metadata: ["platform": "\(platform.rawValue)", "provider.detail": "\(detail.prefix(300))"])
            }
            throw IntegrationError.providerError(platform, error.safeMessage)
        }
        var site: ProviderAccount.Resource?
        if let choice = connector.resourceChoice {
            guard let first = account.resources.first else { throw IntegrationError.noResource(platform, choice) }
            site = first
        }
        let existing = try await UserIntegration.query(on: database)
            .filter(\.$user.$id == pending.$user.id).filter(\.$platform == platform).first()
        // Keep the resource chosen before if the grant still reaches it.
        if let chosen = existing?.siteID, let kept = account.resources.first(where: { $0.id == chosen }) { site = kept }
        let integration =
            existing
            ?? UserIntegration(
                userID: pending.$user.id, workspaceID: pending.$workspace.id, platform: platform, sealedAccessToken: "",
                sealedRefreshToken: nil, tokenExpiresAt: nil, accountEmail: nil, accountName: nil, scopes: [])
        integration.sealedAccessToken = deps.vault.seal(tokens.accessToken)
        if let refresh = tokens.refreshToken { integration.sealedRefreshToken = deps.vault.seal(refresh) }
        integration.tokenExpiresAt = tokens.expiresAt
        integration.scopes = tokens.scopes
        integration.accountEmail = account.email
        integration.accountName = account.name
        integration.providerAccountID = account.id
        integration.siteID = site?.id
        integration.siteURL = site?.url
        integration.sites = account.resources.map { UserIntegration.Site(id: $0.id, name: $0.name, url: $0.url) }
        integration.status = .active
        integration.refreshFailedAt = nil
        integration.lastRefreshedAt = Date()
        try await integration.save(on: database)
        deps.metrics.recordOAuth(platform: platform, result: "success")
        await record(existing == nil ? .connected : .reconnected, account.email.map { "as \($0)" })
        return Outcome(
            summary: IntegrationSummary(
                platform: platform, status: .connected, accountEmail: account.email, accountName: account.name,
                connectedAt: integration.createdAt ?? Date()),
            reconnected: existing != nil)
    }

    /// Refuses a callback that does not come from whoever started the flow: a link forwarded to
    /// someone else (signed in or not) must not put their account on the starter's connection.
    static func checkBinding(_ pending: OAuthState, caller: Identity?, browserNonce: String?, starterEmail: String?) throws {
        if let caller, caller.userID != pending.$user.id { throw IntegrationError.stateBelongsToSomeoneElse }
        if let tokenID = pending.apiTokenID {
            guard case .bearer(let id)? = caller?.method, id == tokenID else { throw IntegrationError.finishWithStartingClient }
        } else if let expected = pending.browserBindingHash {
            guard let browserNonce, SecureToken.constantTimeEquals(SecureToken.hash(browserNonce), expected) else {
                throw IntegrationError.startedInAnotherBrowser
            }
            guard caller != nil else { throw IntegrationError.signInToFinish(starterEmail ?? "the user who started it") }
        } else {
            // A state from before flows were bound: there is no way to tell who may finish it.
            throw IntegrationError.invalidState
        }
    }

    /// Chooses which of the resources the grant reaches (Confluence: sites) the connection reads.
    func chooseResource(_ resourceID: String, of platform: Platform, for identity: Identity, clientAddress: String?) async throws -> UserIntegration.Site {
        guard let choice = ConnectorRegistry.resourceChoice(platform) else { throw IntegrationError.choosesNoResource(platform) }
        let database = deps.store.database
        guard
            let integration = try await UserIntegration.query(on: database)
                .filter(\.$user.$id == identity.userID).filter(\.$workspace.$id == identity.workspaceID)
                .filter(\.$platform == platform).first()
        else { throw IntegrationError.notConnected(platform) }
        guard let site = integration.sites.first(where: { $0.id == resourceID }) else { throw IntegrationError.unknownResource(platform, choice) }
        integration.siteID = site.id
        integration.siteURL = site.url
        try await integration.save(on: database)
        await deps.audit.record(
            .siteChosen, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
            platform: platform.rawValue, detail: site.url, clientAddress: clientAddress)
        return site
    }

    /// Revokes at the provider where possible, then deletes the stored tokens. Returns whether
    /// the provider revoked the grant (Microsoft and Atlassian have no endpoint for it).
    func disconnect(_ platform: Platform, for identity: Identity, clientAddress: String?) async throws -> Bool {
        try await disconnect(platform, ownerID: identity.userID, workspaceID: identity.workspaceID, actor: identity, clientAddress: clientAddress)
    }

    /// Disconnects `ownerID`'s connection as ``disconnect(_:for:clientAddress:)`` does, recorded as
    /// done by `actor` (an admin removing a person disconnects theirs).
    func disconnect(_ platform: Platform, ownerID: UUID, workspaceID: UUID, actor identity: Identity, clientAddress: String?) async throws -> Bool {
        let database = deps.store.database
        guard
            let integration = try await UserIntegration.query(on: database)
                .filter(\.$user.$id == ownerID).filter(\.$workspace.$id == workspaceID)
                .filter(\.$platform == platform).first()
        else { throw IntegrationError.notConnected(platform) }
        var revoked = false
        if let connector = try? deps.connectors.connector(platform), let access = try? deps.vault.open(integration.sealedAccessToken) {
            let refresh = integration.sealedRefreshToken.flatMap { try? deps.vault.open($0) }
            do {
                revoked = try await connector.revoke(TokenSet(accessToken: access, refreshToken: refresh, expiresAt: nil, scopes: []))
            } catch {
                // The tokens are deleted either way; a failed revocation is reported, not fatal.
                deps.logger.warning("Revocation failed", metadata: ["platform": .string(platform.rawValue)])
            }
        }
        try await integration.delete(on: database)
        await deps.audit.record(
            .disconnected, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, platform: platform.rawValue,
            detail: revoked ? "revoked at the provider" : "tokens deleted; remove the app at the provider", clientAddress: clientAddress)
        return revoked
    }
}

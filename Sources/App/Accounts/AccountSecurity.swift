import Foundation

/// What a signed-in person can do to their own account, the same from Settings and the API:
/// each change is made through ``Accounts`` and recorded in the audit log.
struct AccountSecurity: Sendable {
    let deps: Dependencies

    /// A row of the account's API token list.
    struct TokenSummary: Sendable, Encodable {
        let id: UUID
        let name: String
        let createdAt: Date?
        let lastUsedAt: Date?
        let expiresAt: Date
        /// Whether this is the token the request came with.
        let current: Bool
    }

    func tokens(of identity: Identity) async throws -> [TokenSummary] {
        try await deps.accounts.apiTokens(userID: identity.userID).map { token in
            let current: Bool = if case .bearer(let id) = identity.method { id == token.id } else { false }
            return TokenSummary(
                id: try token.requireID(), name: token.name, createdAt: token.createdAt, lastUsedAt: token.lastUsedAt,
                expiresAt: token.expiresAt, current: current)
        }
    }

    /// Changes the password (the current one checked); the session or token asking survives.
    /// Wrong current passwords count against the sign-in throttle, so a stolen session cannot be
    /// used to guess the password.
    func changePassword(_ identity: Identity, current: String, new: String, clientAddress: String?) async throws {
        try await deps.throttle.check(account: identity.email, address: clientAddress)
        do {
            try await deps.accounts.changePassword(userID: identity.userID, current: current, new: new, keeping: identity.method)
        } catch AuthError.wrongCurrentPassword {
            await deps.throttle.recordFailure(account: identity.email, address: clientAddress)
            throw AuthError.wrongCurrentPassword
        }
        await record(.passwordChanged, identity, detail: nil, clientAddress: clientAddress)
    }

    /// Ends every session and token of the account, the asking one included; returns how many.
    @discardableResult
    func signOutEverywhere(_ identity: Identity, clientAddress: String?) async throws -> Int {
        let ended = try await deps.accounts.signOutEverywhere(userID: identity.userID)
        await record(
            .signedOutEverywhere, identity, detail: "\(ended) session\(ended == 1 ? "" : "s") or token\(ended == 1 ? "" : "s") ended",
            clientAddress: clientAddress)
        return ended
    }

    /// Revokes one of the account's own API tokens (another account's id is not found).
    func revokeToken(_ rawID: String, _ identity: Identity, clientAddress: String?) async throws {
        guard let id = UUID(uuidString: rawID) else { throw AuthError.tokenNotFound }
        try await deps.accounts.revokeAPIToken(id: id, userID: identity.userID)
        await record(.apiTokenRevoked, identity, detail: nil, clientAddress: clientAddress)
    }

    private func record(_ action: Audit.Action, _ identity: Identity, detail: String?, clientAddress: String?) async {
        await deps.audit.record(
            action, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, detail: detail,
            clientAddress: clientAddress)
    }
}

import CirrusCore
import FluentKit
import Foundation

/// Re-encrypts every sealed value in the store under the newest key (`cirrus rotate-keys`).
///
/// Run it after putting a new key first in `CIRRUS_ENCRYPTION_KEYS` (keeping the old ones
/// after it); once it reports zero remaining, the old keys can be removed.
enum KeyRotation {
    struct Report: Sendable, Equatable {
        var rotated = 0
        var alreadyCurrent = 0
    }

    static func run(store: Store, vault: TokenVault) async throws -> Report {
        try await store.database.transaction { transaction -> Report in
            var report = Report()
            for integration in try await UserIntegration.query(on: transaction).all() {
                var changed = false
                if let rotated = try vault.rotated(integration.sealedAccessToken) {
                    integration.sealedAccessToken = rotated
                    changed = true
                }
                if let sealed = integration.sealedRefreshToken, let rotated = try vault.rotated(sealed) {
                    integration.sealedRefreshToken = rotated
                    changed = true
                }
                if changed {
                    try await integration.save(on: transaction)
                    report.rotated += 1
                } else {
                    report.alreadyCurrent += 1
                }
            }
            for state in try await OAuthState.query(on: transaction).all() {
                if let rotated = try vault.rotated(state.sealedCodeVerifier) {
                    state.sealedCodeVerifier = rotated
                    try await state.save(on: transaction)
                    report.rotated += 1
                } else {
                    report.alreadyCurrent += 1
                }
            }
            return report
        }
    }
}

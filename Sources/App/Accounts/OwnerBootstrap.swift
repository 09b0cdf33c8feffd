import FluentKit
import Foundation
import Logging

/// Makes sure a fresh installation has someone who can sign in.
enum OwnerBootstrap {
    /// On an empty user table: creates the owner from `CIRRUS_ADMIN_EMAIL` and
    /// `CIRRUS_ADMIN_PASSWORD`, or with a generated one-time password printed once to the console.
    static func ensureOwner(config: AppConfig, accounts: Accounts, audit: Audit, logger: Logger) async throws {
        guard try await User.query(on: accounts.store.database).count() == 0 else { return }
        let email = config.adminEmail ?? "admin@cirrus.local"
        let password: String
        let generated: Bool
        if let configured = config.adminPassword?.revealed {
            password = configured
            generated = false
        } else {
            password = SecureToken.make(byteCount: 12)
            generated = true
        }
        let user = try await accounts.createUser(email: email, password: password, displayName: "Owner", role: .owner)
        if generated {
            // A password that went through a console is changed before anything else.
            user.mustChangePassword = true
            try await user.save(on: accounts.store.database)
        }
        await audit.record(
            .userCreated, workspaceID: user.$workspace.id, actorID: user.id, actorEmail: user.email, detail: "owner, first start",
            clientAddress: nil)
        logger.notice("Created the owner account", metadata: ["email": .string(user.email)])
        if generated {
            // Printed, not logged: log pipelines keep what they are given.
            FileHandle.standardOutput.write(
                Data(
                    """

                    ──────────────────────────────────────────────────────────────
                     Cirrus owner account created
                       email:    \(user.email)
                       password: \(password)
                     This password is shown once and must be changed at the first
                     sign-in. Set CIRRUS_ADMIN_EMAIL and CIRRUS_ADMIN_PASSWORD
                     before the first start to choose your own.
                    ──────────────────────────────────────────────────────────────

                    """.utf8))
        }
    }
}

import FluentKit
import Foundation
import Logging

/// What the `cirrus` command-line verbs do besides serving.
public enum AdminTasks {
    public static func migrate(_ config: AppConfig, logger: Logger) async throws {
        let store = try Store(config: config, logger: logger)
        do {
            try await store.migrate()
            await store.shutdown()
        } catch {
            await store.shutdown()
            throw error
        }
    }

    public static func createAdmin(
        _ config: AppConfig, email: String, password: String, name: String?, owner: Bool, logger: Logger
    ) async throws {
        try await withMigratedStore(config, logger: logger) { store in
            let accounts = Accounts(store: store, bcryptCost: UInt8(config.bcryptCost), sessionLifetime: TimeInterval(config.sessionLifetimeSeconds))
            let workspace = try await Workspace.query(on: store.database).sort(\.$createdAt).first()?.requireID()
            let user = try await accounts.createUser(
                email: email, password: password, displayName: name, role: owner ? .owner : .admin, workspaceID: workspace)
            await Audit(store: store, logger: logger).record(
                .userCreated, workspaceID: user.$workspace.id, actorID: nil, actorEmail: user.email, detail: "cirrus create-admin",
                clientAddress: nil)
        }
    }

    /// Re-encrypts stored secrets under the newest key.
    public static func rotateKeys(_ config: AppConfig, logger: Logger) async throws -> (rotated: Int, alreadyCurrent: Int) {
        try await withMigratedStore(config, logger: logger) { store in
            let report = try await KeyRotation.run(store: store, vault: EncryptionKeys.vault(config, logger: logger))
            await Audit(store: store, logger: logger).record(
                .keysRotated, workspaceID: nil, actorID: nil, actorEmail: nil,
                detail: "\(report.rotated) re-encrypted, \(report.alreadyCurrent) current", clientAddress: nil)
            return (report.rotated, report.alreadyCurrent)
        }
    }

    static func withMigratedStore<T>(_ config: AppConfig, logger: Logger, _ body: (Store) async throws -> T) async throws -> T {
        let store = try Store(config: config, logger: logger)
        do {
            if config.autoMigrate ?? (store.engine == .sqlite) { try await store.migrate() }
            let result = try await body(store)
            await store.shutdown()
            return result
        } catch {
            await store.shutdown()
            throw error
        }
    }
}

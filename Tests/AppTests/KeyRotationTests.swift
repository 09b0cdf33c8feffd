import CirrusCore
import FluentKit
import Foundation
import Testing

@testable import App

@Suite("Tokens at rest and key rotation")
struct KeyRotationTests {
    @Test("rotate-keys re-encrypts every stored token under the new key; the old key is then unnecessary")
    func rotateEndToEnd() async throws {
        // given: tokens sealed under the old key
        let oldKey = Fernet.generateKey()
        let newKey = Fernet.generateKey()
        let before = try await TestHarness.make([AppConfig.Key.encryptionKeys: oldKey])
        try await before.withServer { _ in }
        let oldVault = try TokenVault(keys: [oldKey])
        try await before.withStore { store in
            let owner = try await User.query(on: store.database).first()!
            try await UserIntegration(
                userID: try owner.requireID(), workspaceID: owner.$workspace.id, platform: .microsoft,
                sealedAccessToken: oldVault.seal("access-token-1"), sealedRefreshToken: oldVault.seal("refresh-token-1"),
                tokenExpiresAt: nil, accountEmail: nil, accountName: nil, scopes: []
            ).create(on: store.database)
            let raw = try await UserIntegration.query(on: store.database).first()!
            #expect(!raw.sealedAccessToken.contains("access-token-1"))
            #expect(raw.sealedAccessToken.hasPrefix("gAAAAA"))
        }

        // when: the operator puts the new key first and rotates
        var rotatedConfig = before.config
        rotatedConfig.encryptionKeys = [Secret(newKey), Secret(oldKey)]
        let report = try await AdminTasks.rotateKeys(rotatedConfig, logger: TestHarness.logger)

        // then
        #expect(report.rotated == 1)
        let newOnly = try TokenVault(keys: [newKey])
        try await before.withStore { store in
            let row = try await UserIntegration.query(on: store.database).first()!
            #expect(try newOnly.open(row.sealedAccessToken) == "access-token-1")
            #expect(try newOnly.open(row.sealedRefreshToken!) == "refresh-token-1")
            #expect(throws: FernetError.invalidToken) { try oldVault.open(row.sealedAccessToken) }
        }
        let again = try await AdminTasks.rotateKeys(rotatedConfig, logger: TestHarness.logger)
        #expect(again.rotated == 0)
        #expect(again.alreadyCurrent == 1)
    }

    @Test("without configured keys, development keeps one key file in the data directory and reuses it")
    func developmentKeyFile() async throws {
        let harness = try await TestHarness.make()
        var config = harness.config
        config.encryptionKeys = []
        let first = try EncryptionKeys.resolve(config, logger: TestHarness.logger)
        let second = try EncryptionKeys.resolve(config, logger: TestHarness.logger)
        #expect(first == second)
        let attributes = try FileManager.default.attributesOfItem(atPath: harness.dataDirectory.appendingPathComponent("encryption.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        config.mode = .production
        #expect(throws: ConfigError.self) { try EncryptionKeys.resolve(config, logger: TestHarness.logger) }
    }
}

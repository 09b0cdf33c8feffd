import CirrusCore
import Foundation
import Logging

/// Where the token vault's keys come from.
enum EncryptionKeys {
    static let developmentKeyFile = "encryption.key"

    /// The configured keys; in development with none configured, a key kept in the data
    /// directory (created on first start, readable by the owner only).
    static func resolve(_ config: AppConfig, logger: Logger) throws -> [String] {
        if !config.encryptionKeys.isEmpty { return config.encryptionKeys.map(\.revealed) }
        guard config.mode == .development else {
            throw ConfigError.missingRequired(key: AppConfig.Key.encryptionKeys, reason: "production needs at least one Fernet key")
        }
        let directory = URL(fileURLWithPath: config.dataDirectory)
        let file = directory.appendingPathComponent(developmentKeyFile)
        if let existing = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            !existing.isEmpty
        {
            return [existing]
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = Fernet.generateKey()
        guard FileManager.default.createFile(atPath: file.path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError.invalid(key: AppConfig.Key.dataDirectory, reason: "cannot write \(file.path)")
        }
        logger.notice(
            "No CIRRUS_ENCRYPTION_KEYS set: generated a development key file",
            metadata: ["path": .string(file.path)])
        return [key]
    }

    static func vault(_ config: AppConfig, logger: Logger) throws -> TokenVault {
        try TokenVault(keys: resolve(config, logger: logger))
    }
}

import CirrusCore
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

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
        if FileManager.default.fileExists(atPath: file.path) {
            // An existing key is never replaced: every stored token is sealed with it.
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw ConfigError.invalid(
                    key: AppConfig.Key.dataDirectory, reason: "the key file \(file.path) cannot be read; fix its permissions (it is never replaced)")
            }
            let existing = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (try? Fernet(key: existing)) != nil else {
                throw ConfigError.invalid(
                    key: AppConfig.Key.dataDirectory,
                    reason:
                        "the key file \(file.path) does not hold a Fernet key; restore it from a backup or set CIRRUS_ENCRYPTION_KEYS (it is never replaced)")
            }
            return [existing]
        }
        try DataDirectory.create(directory)
        let key = Fernet.generateKey()
        // Created owner-only in one step (O_EXCL, mode 0600), never widened then narrowed.
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw ConfigError.invalid(key: AppConfig.Key.dataDirectory, reason: "cannot create \(file.path)") }
        let written = Array((key + "\n").utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == key.utf8.count + 1 else { throw ConfigError.invalid(key: AppConfig.Key.dataDirectory, reason: "cannot write \(file.path)") }
        logger.notice(
            "No CIRRUS_ENCRYPTION_KEYS set: generated a development key file",
            metadata: ["path": .string(file.path)])
        return [key]
    }

    static func vault(_ config: AppConfig, logger: Logger) throws -> TokenVault {
        try TokenVault(keys: resolve(config, logger: logger))
    }
}

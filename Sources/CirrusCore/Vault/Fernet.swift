import Crypto
import Foundation
import _CryptoExtras

/// Why a Fernet token could not be opened. Deliberately vague towards callers outside the
/// vault: a token is either valid or it is not, as in Python's `cryptography.fernet.InvalidToken`.
public enum FernetError: Error, Equatable, Sendable {
    /// The key is not 32 bytes of URL-safe base64.
    case invalidKey
    /// A caller-supplied IV is not 16 bytes.
    case invalidIV
    /// The token is malformed, forged, tampered with, made with another key, or expired.
    case invalidToken
}

/// Symmetric authenticated encryption per the Fernet specification
/// (https://github.com/fernet/spec): AES-128-CBC with PKCS#7 padding, HMAC-SHA256 over
/// version ‖ timestamp ‖ IV ‖ ciphertext, URL-safe base64 with padding.
///
/// Tokens and keys are byte-compatible with Python's `cryptography.fernet.Fernet`.
public struct Fernet: Sendable {
    static let version: UInt8 = 0x80
    /// Tokens stamped further than this in the future are rejected when a TTL is checked,
    /// as Python's implementation does.
    static let maxClockSkew: Int64 = 60
    private static let headerLength = 1 + 8 + 16
    private static let macLength = 32

    // Raw bytes rather than `SymmetricKey`, which is not `Sendable` in this swift-crypto.
    private let signingKeyBytes: [UInt8]
    private let encryptionKeyBytes: [UInt8]
    private var signingKey: SymmetricKey { SymmetricKey(data: signingKeyBytes) }
    private var encryptionKey: SymmetricKey { SymmetricKey(data: encryptionKeyBytes) }

    /// - Parameter key: 32 bytes in URL-safe base64, as made by ``generateKey()`` or
    ///   Python's `Fernet.generate_key()`.
    public init(key: String) throws(FernetError) {
        guard let bytes = Base64URL.decode(key.trimmingCharacters(in: .whitespacesAndNewlines)),
            bytes.count == 32
        else { throw .invalidKey }
        self.signingKeyBytes = Array(bytes[0..<16])
        self.encryptionKeyBytes = Array(bytes[16..<32])
    }

    /// A new random key in the format ``init(key:)`` accepts.
    public static func generateKey() -> String {
        Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// Encrypts `plaintext` into a token stamped with `date`, under a fresh random IV.
    public func encrypt(_ plaintext: some DataProtocol, at date: Date = Date()) -> String {
        encrypt(plaintext, timestamp: Self.timestamp(date))
    }

    func encrypt(_ plaintext: some DataProtocol, timestamp: UInt64) -> String {
        let iv = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        // A 16-byte IV is all AES-CBC can refuse, so this cannot fail.
        guard let token = try? encrypt(plaintext, timestamp: timestamp, iv: iv) else {
            preconditionFailure("AES-CBC refused a 16-byte IV")
        }
        return token
    }

    /// Encrypts under a given IV; only for reproducing published test vectors.
    /// - Throws: ``FernetError/invalidIV`` unless `iv` is 16 bytes.
    public func encrypt(_ plaintext: some DataProtocol, at date: Date = Date(), iv: [UInt8]) throws(FernetError) -> String {
        try encrypt(plaintext, timestamp: Self.timestamp(date), iv: iv)
    }

    /// Whole seconds since 1970, clamped to what the token's 64-bit field holds (a date before
    /// 1970, or not finite, stamps 0).
    static func timestamp(_ date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return seconds >= 1.8e19 ? UInt64.max : UInt64(seconds)
    }

    func encrypt(_ plaintext: some DataProtocol, timestamp: UInt64, iv ivBytes: [UInt8]) throws(FernetError) -> String {
        guard ivBytes.count == 16, let cbcIV = try? AES._CBC.IV(ivBytes: ivBytes),
            let ciphertext = try? AES._CBC.encrypt(plaintext, using: encryptionKey, iv: cbcIV)
        else { throw .invalidIV }
        var token: [UInt8] = [Self.version]
        withUnsafeBytes(of: timestamp.bigEndian) { token.append(contentsOf: $0) }
        token.append(contentsOf: ivBytes)
        token.append(contentsOf: ciphertext)
        token.append(contentsOf: HMAC<SHA256>.authenticationCode(for: token, using: signingKey))
        return Base64URL.encode(token)
    }

    /// Verifies and decrypts a token.
    /// - Parameters:
    ///   - ttl: if given, tokens older than this many seconds (or stamped too far in the future) are rejected.
    ///   - now: the current time, for tests.
    public func decrypt(_ token: String, ttl: Int? = nil, now: Date = Date()) throws(FernetError) -> Data {
        let (timestamp, bytes) = try Self.unverifiedParts(of: token)
        if let ttl {
            let current = Int64(now.timeIntervalSince1970.rounded(.down))
            // Subtraction, not `timestamp + ttl`: a forged timestamp near Int64.max must not overflow.
            if current - timestamp > Int64(clamping: ttl) { throw .invalidToken }
            if current + Self.maxClockSkew < timestamp { throw .invalidToken }
        }
        let signed = bytes[..<(bytes.count - Self.macLength)]
        let mac = bytes[(bytes.count - Self.macLength)...]
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: signingKey) else {
            throw .invalidToken
        }
        let iv = bytes[9..<25]
        let ciphertext = bytes[25..<(bytes.count - Self.macLength)]
        do {
            return try AES._CBC.decrypt(ciphertext, using: encryptionKey, iv: AES._CBC.IV(ivBytes: iv))
        } catch {
            throw .invalidToken
        }
    }

    /// The time a token was made, read without verifying it (as Python's `extract_timestamp`
    /// does after verifying the signature).
    public func extractTimestamp(_ token: String) throws(FernetError) -> Date {
        let (timestamp, bytes) = try Self.unverifiedParts(of: token)
        let signed = bytes[..<(bytes.count - Self.macLength)]
        let mac = bytes[(bytes.count - Self.macLength)...]
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: signingKey) else {
            throw .invalidToken
        }
        return Date(timeIntervalSince1970: TimeInterval(timestamp))
    }

    /// Splits a token into its timestamp and raw bytes after the structural checks.
    static func unverifiedParts(of token: String) throws(FernetError) -> (Int64, [UInt8]) {
        guard let bytes = Base64URL.decode(token), bytes.first == version,
            bytes.count >= headerLength + 16 + macLength,
            (bytes.count - headerLength - macLength) % 16 == 0
        else { throw .invalidToken }
        let timestamp = bytes[1..<9].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        guard timestamp <= UInt64(Int64.max) else { throw .invalidToken }
        return (Int64(timestamp), bytes)
    }
}

import CirrusCore
import Crypto
import Foundation

/// Random bearer secrets (session cookies, API tokens, CSRF tokens, OAuth states) and the
/// one-way form they are stored in.
enum SecureToken {
    /// 32 random bytes, URL-safe base64 without padding (valid in cookies, headers and URLs).
    static func make(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encodeUnpadded(bytes)
    }

    /// `text` if it looks like one of ours (URL-safe base64 of at least 32 bytes), else `nil`:
    /// a value planted or mangled elsewhere is replaced, never echoed into a header.
    static func wellFormed(_ text: String) -> String? {
        text.utf8.count >= 43 && text.utf8.count <= 128
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") } ? text : nil
    }

    /// SHA-256 in hex: what the store keeps instead of the token.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A MAC of `message` under `key` (hex), for values a page hands itself through a URL and
    /// must not accept from anyone else (the key is a per-session secret).
    static func sign(_ message: String, key: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets in time that does not depend on where they first differ.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

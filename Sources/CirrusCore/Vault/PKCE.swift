import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636).
public enum PKCE {
    /// The S256 challenge for a verifier: BASE64URL(SHA256(verifier)) without padding.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encodeUnpadded(SHA256.hash(data: Data(verifier.utf8)))
    }
}

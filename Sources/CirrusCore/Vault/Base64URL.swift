import Foundation

/// URL-safe base64 as Python's `base64.urlsafe_b64encode` writes it: `-` and `_`, with padding.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }

    /// Without `=` padding, as JWTs, PKCE and most URL tokens use it.
    public static func encodeUnpadded(_ bytes: some Sequence<UInt8>) -> String {
        encode(bytes).replacingOccurrences(of: "=", with: "")
    }

    /// Decodes padded or unpadded URL-safe base64; any other character makes it fail.
    public static func decode(_ text: String) -> [UInt8]? {
        guard
            text.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="):
                    true
                default:
                    false
                }
            })
        else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.count % 4
        if remainder != 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }
}

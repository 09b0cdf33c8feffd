import Foundation
import Hummingbird
import NIOCore

/// Opaque page tokens: an offset plus a digest of the query they belong to, so a token reused
/// with other filters is refused as providers refuse it.
enum PageToken {
    static func signature(_ query: [String: String]) -> String {
        let relevant = query.filter { !["pageToken", "fields", "prettyPrint", "access_token", "key", "alt"].contains($0.key) }
        let text = relevant.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        var hash: UInt64 = 1_469_598_103_934_665_603
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return String(hash, radix: 36)
    }

    static func encodePageToken(offset: Int, signature: String) -> String {
        "~!!~"
            + Data("\(offset):\(signature)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodePageToken(_ token: String) -> (offset: Int, signature: String)? {
        guard token.hasPrefix("~!!~") else { return nil }
        var base = String(token.dropFirst(4)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        guard let data = Data(base64Encoded: base), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let offset = Int(parts[0]) else { return nil }
        return (offset, String(parts[1]))
    }

}

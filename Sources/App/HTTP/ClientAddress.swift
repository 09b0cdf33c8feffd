import Foundation
import HTTPTypes
import Hummingbird

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Addresses and networks (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`) whose word about the
/// client's address is believed: the reverse proxies in front of Cirrus (`CIRRUS_TRUSTED_PROXIES`).
struct TrustedProxies: Sendable {
    struct Network: Sendable {
        let bytes: [UInt8]
        let prefix: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefix
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let networks: [Network]

    static let none = TrustedProxies(networks: [])

    /// Parses a comma-separated list; `nil` names the first entry that is not an address or network.
    static func parse(_ list: String) -> Result<TrustedProxies, ParseError> {
        var networks: [Network] = []
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = IPAddress.bytes(parts[0]) else { return .failure(ParseError(entry: entry)) }
            let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let prefix, (0...(bytes.count * 8)).contains(prefix) else { return .failure(ParseError(entry: entry)) }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
        return .success(TrustedProxies(networks: networks))
    }

    struct ParseError: Error {
        let entry: String
    }

    func trusts(_ address: String) -> Bool {
        guard let bytes = IPAddress.bytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address for a request that arrived from `peer`: the peer itself unless it is
    /// a trusted proxy; then the nearest address in `Forwarded` (or `X-Forwarded-For`) that is
    /// not one of ours, reading from the right, since a client can put anything on the left.
    func clientAddress(peer: String?, headers: HTTPFields) -> String? {
        guard let peer, !networks.isEmpty, trusts(peer) else { return peer }
        let chain: [String]
        if let forwarded = headers[values: HTTPField.Name("Forwarded")!].joined(separator: ",").nilIfEmpty {
            chain = forwarded.split(separator: ",").compactMap { element in
                element.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.lowercased().hasPrefix("for=") }
                    .map { Self.bareAddress(String($0.dropFirst(4))) }
            }
        } else if let forwardedFor = headers[values: HTTPField.Name("X-Forwarded-For")!].joined(separator: ",").nilIfEmpty {
            chain = forwardedFor.split(separator: ",").map { Self.bareAddress($0.trimmingCharacters(in: .whitespaces)) }
        } else {
            return peer
        }
        let addresses = chain.filter { IPAddress.bytes($0) != nil }
        return addresses.last { !trusts($0) } ?? addresses.first ?? peer
    }

    /// `"[2001:db8::1]:4711"` → `2001:db8::1`; `192.0.2.60:80` → `192.0.2.60`.
    static func bareAddress(_ text: String) -> String {
        var value = text.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        if value.hasPrefix("["), let end = value.firstIndex(of: "]") { return String(value[value.index(after: value.startIndex)..<end]) }
        if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") { value = String(value[..<colon]) }
        return value
    }
}

/// IP address text ↔ bytes.
enum IPAddress {
    /// 4 bytes for IPv4, 16 for IPv6 (IPv4-mapped IPv6 becomes its IPv4), `nil` if not an address.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    /// What counts as one client for rate limits: an IPv4 address, or an IPv6 /64 (one
    /// subscriber's network; they can pick any address inside it at will).
    static func throttleKey(_ text: String) -> String {
        guard let bytes = bytes(text) else { return String(text.prefix(64)) }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return bytes[0..<8].map { String(format: "%02x", $0) }.joined() + "::/64"
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Puts the client's address, as ``TrustedProxies`` reads it, on the request context.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = proxies.clientAddress(peer: context.remoteAddress?.ipAddress, headers: request.headers)
        return try await next(request, context)
    }
}

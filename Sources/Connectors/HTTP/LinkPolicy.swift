import CirrusCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which URLs handed over by a provider (download redirects, Graph's `downloadUrl`, Drive's
/// `exportLinks`) a connector may fetch, and which of them may receive its bearer token.
///
/// A link is fetched only if it is `https` on one of the provider's documented download hosts
/// (against the sandbox: on the sandbox's own origin, under such a host), and, against real
/// hosts, only if no address the name resolves to is loopback, link-local, private or otherwise
/// not on the public internet. The bearer token goes only to the provider's API hosts.
public struct LinkPolicy: Sendable {
    public let hosts: HostResolver
    /// Hosts that may receive the bearer token: the provider's own API hosts.
    public let apiHosts: Set<String>
    /// Hosts downloads may come from: exact names, or `.example.com` for any subdomain of it.
    public let downloadHosts: [String]

    /// Looks a host name up (the system resolver; tests pass their own).
    let resolve: @Sendable (String) -> [[UInt8]]

    public init(
        hosts: HostResolver, apiHosts: Set<String>, downloadHosts: [String], resolve: @escaping @Sendable (String) -> [[UInt8]] = LinkPolicy.systemResolve
    ) {
        self.hosts = hosts
        self.apiHosts = apiHosts
        self.downloadHosts = downloadHosts
        self.resolve = resolve
    }

    /// A link that passed: where to send the request, and whether the token may go with it.
    public struct Target: Sendable {
        public let url: String
        public let mayCarryToken: Bool
    }

    /// Checks `link` and answers where to fetch, or throws ``ConnectorError/unsafeLink(_:)``.
    public func vet(_ link: String) async throws -> Target {
        guard !link.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" }), let url = URL(string: link),
            let host = hosts.providerHost(of: url)
        else { throw ConnectorError.unsafeLink(Self.describe(link)) }
        guard allowsDownload(from: host) else { throw ConnectorError.unsafeLink(host) }
        if !hosts.isStandIn {
            let resolve = self.resolve
            let addresses = try await onWorkerThread { resolve(host) }
            guard !addresses.isEmpty, addresses.allSatisfy(Self.isPublic) else { throw ConnectorError.unsafeLink(host) }
        }
        return Target(url: link, mayCarryToken: apiHosts.contains(host))
    }

    func allowsDownload(from host: String) -> Bool {
        downloadHosts.contains { pattern in
            pattern.hasPrefix(".") ? host.hasSuffix(pattern) && host.count > pattern.count : host == pattern
        }
    }

    /// The scheme and host of a link for a message, bounded (the rest may hold signed tokens).
    public static func describe(_ link: String) -> String {
        let url = URL(string: link)
        let shown = url.flatMap { url in url.scheme.map { "\($0)://\(url.host ?? "")" } } ?? "a malformed link"
        return String(shown.prefix(100))
    }

    /// Every address `host` resolves to, as raw bytes (4 for IPv4, 16 for IPv6).
    public static func systemResolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socket = entry.pointee.ai_addr {
                switch Int32(socket.pointee.sa_family) {
                case AF_INET:
                    socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        addresses.append(withUnsafeBytes(of: &address) { Array($0) })
                    }
                case AF_INET6:
                    socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        addresses.append(withUnsafeBytes(of: &address) { Array($0) })
                    }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    /// Whether an address is on the public internet: not unspecified, loopback, private
    /// (RFC 1918, unique local), link-local (169.254/16 holds cloud metadata services), shared
    /// (100.64/10), multicast or reserved, including IPv4 written inside IPv6.
    public static func isPublic(_ bytes: [UInt8]) -> Bool {
        if bytes.count == 4 {
            let (a, b) = (bytes[0], bytes[1])
            switch a {
            case 0, 10, 127: return false
            case 100 where (64...127).contains(b): return false
            case 169 where b == 254: return false
            case 172 where (16...31).contains(b): return false
            case 192 where b == 168: return false
            case 192 where b == 0 && bytes[2] == 0: return false
            case 198 where b == 18 || b == 19: return false
            case 224...255: return false
            default: return true
            }
        }
        guard bytes.count == 16 else { return false }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), (bytes[10] == 0xFF && bytes[11] == 0xFF) || (bytes[10] == 0 && bytes[11] == 0) {
            // IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d, which covers :: and ::1).
            return isPublic(Array(bytes[12..<16]))
        }
        if bytes[0] == 0x64, bytes[1] == 0xFF, bytes[2] == 0x9B { return isPublic(Array(bytes[12..<16])) }  // NAT64
        switch bytes[0] {
        case 0xFC, 0xFD, 0xFF: return false  // unique local, multicast
        case 0xFE where bytes[1] & 0xC0 == 0x80 || bytes[1] & 0xC0 == 0xC0: return false  // link-local, site-local
        default: return bytes[0] & 0xE0 == 0x20  // only 2000::/3 is global unicast
        }
    }
}

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A free TCP port on 127.0.0.1, for servers that must know their port before they start
/// (a public URL naming it), as tests and benchmarks need.
///
/// Ports come from below the kernel's ephemeral range (32768 and up on Linux): a port the kernel
/// hands out for `port 0` (every in-process test server) or for an outgoing connection can then
/// never be the one a process we are about to start was told to bind. Within this process a port
/// is handed out once.
public enum LoopbackPort {
    public enum Failure: Error { case unavailable }

    private static let range = 20_000...32_767
    private static let handedOut = Mutex<Set<Int>>([])

    public static func free() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: range)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if canBind(port) { return port }
        }
        throw Failure.unavailable
    }

    private static func canBind(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } } == 0
    }
}

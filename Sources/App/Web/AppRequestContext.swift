import Hummingbird
import NIOCore

/// The per-request state every Cirrus handler sees.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is signed in, set by ``AuthenticationMiddleware``.
    var identity: Identity?
    /// The CSRF token a page must embed in its forms (the session's, or the pre-sign-in cookie's).
    var formCSRFToken: String?
    public let remoteAddress: SocketAddress?

    /// The client's IP address as text, for rate limits and the audit log: the peer's, or what
    /// a trusted proxy says (set by ``ClientAddressMiddleware``).
    var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The identity, or ``AuthError/notSignedIn``.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw AuthError.notSignedIn }
        return identity
    }
}

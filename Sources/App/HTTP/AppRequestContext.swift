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

    /// The website widget's site a public widget request was admitted to (set by ``WidgetCORSMiddleware``).
    var widgetSite: WidgetSite?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// The context of routes for signed-in people: the identity is there, not optional. Routes
/// registered on a group of this context answer 401 (`not_signed_in`) to anyone else.
struct SignedInContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let identity: Identity
    let clientAddress: String?

    init(context: AppRequestContext) throws {
        guard let identity = context.identity else { throw AuthError.notSignedIn }
        self.coreContext = context.coreContext
        self.identity = identity
        self.clientAddress = context.clientAddress
    }

    var requestDecoder: AppRequestDecoder { AppRequestDecoder() }
    var responseEncoder: AppResponseEncoder { AppResponseEncoder() }
}

/// The context of routes that change the knowledge base or the connections: the identity is an
/// owner or admin. Members get 403 (`forbidden`), signed-out callers 401.
struct AdminContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let identity: Identity
    let clientAddress: String?

    init(context: AppRequestContext) throws {
        let signedIn = try SignedInContext(context: context)
        guard signedIn.identity.canAdminister else { throw AuthError.forbidden }
        self.coreContext = signedIn.coreContext
        self.identity = signedIn.identity
        self.clientAddress = signedIn.clientAddress
    }

    var requestDecoder: AppRequestDecoder { AppRequestDecoder() }
    var responseEncoder: AppResponseEncoder { AppResponseEncoder() }
}

import HTTPTypes
import Hummingbird

/// What an API route asks of a key, in one table: reading is `read`; every change needs
/// `admin` unless listed here, so a route added later is closed to narrower keys until someone
/// decides otherwise.
enum APIKeyRules {
    /// What a route needs of an API key.
    enum Requirement: Equatable, Sendable {
        case scope(APIKeyScope)
        /// No key may call it: a person must (keys, their own account, OAuth consent).
        case person
    }

    /// Routes no key may call, whatever the method: keys, people and accounts are managed by people,
    /// and notifications are a person's own.
    static let personOnly: [SiteRoute] = [
        .apiKeys, .apiKey(nil), .people, .person(nil), .invitations, .invitation(nil), .notifications, .notificationsRead,
        .notificationPreferences, .webhook, .webhookDeliveries, .apiLogout, .apiLogoutEverywhere, .myPassword, .myTokens, .myToken(nil),
        .connect(nil),
    ]
    /// What a key may do beyond the default (reading is `read`, any change `admin`): `read` keys
    /// ask the chatbot and keep its conversations; `import` keys browse accounts, import, re-import
    /// and run synced sources (deleting one, perhaps with its documents, stays `admin`).
    static let granted: [(HTTPRequest.Method, SiteRoute, APIKeyScope)] = [
        (.post, .chat, .read), (.post, .conversations, .read), (.delete, .conversation(nil), .read), (.post, .conversationMessages(nil), .read),
        (.post, .turnFeedback(nil, nil), .read),
        (.get, .files(nil), .import), (.get, .filePreview(nil, nil), .import), (.post, .startImport(nil), .import), (.post, .reimport(nil), .import),
        (.post, .sources, .import), (.patch, .source(nil), .import), (.post, .syncSource(nil), .import),
    ]

    private static let person = Set(personOnly.map(\.pattern.description))
    private static let table = Dictionary(uniqueKeysWithValues: granted.map { ($0.1.endpointKey($0.0), $0.2) })

    /// What `method` on the route registered as `endpoint` (its pattern) needs.
    static func requirement(method: HTTPRequest.Method, endpoint: String) -> Requirement {
        if person.contains(endpoint) { return .person }
        if let scope = table[SiteRoute.endpointKey(method, endpoint)] { return .scope(scope) }
        return AuthenticationMiddleware.isSafe(method) ? .scope(.read) : .scope(.admin)
    }
}

/// Holds a request made with an API key to the key's scope (``APIKeyRules``). Runs on the
/// signed-in API routes, after routing, so it judges the route's pattern, not the raw path.
struct APIKeyScopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard case .apiKey(_, let scope)? = context.identity?.method else { return try await next(request, context) }
        switch APIKeyRules.requirement(method: request.method, endpoint: context.endpointPath ?? request.uri.path) {
        case .person: throw APIKeyError.personOnly
        case .scope(let needed) where needed > scope: throw APIKeyError.insufficientScope(needed: needed)
        case .scope: return try await next(request, context)
        }
    }
}

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
    /// Changes a `read` key may make: asking the chatbot and keeping its conversations.
    static let readChanges: [SiteRoute] = [
        .chat, .conversations, .conversation(nil), .conversationMessages(nil), .turnFeedback(nil, nil),
    ]
    /// What an `import` key may do beyond reading: browse accounts, import, re-import and sync.
    static let importRoutes: [SiteRoute] = [
        .files(nil), .filePreview(nil, nil), .startImport(nil), .reimport(nil), .sources, .source(nil), .syncSource(nil),
    ]

    private static let table: [String: (safe: Requirement, unsafe: Requirement)] = {
        var table: [String: (safe: Requirement, unsafe: Requirement)] = [:]
        for route in readChanges { table[route.pattern.description] = (.scope(.read), .scope(.read)) }
        for route in importRoutes {
            // Deleting a synced source (and maybe its documents) stays an admin's change.
            let browsing = route == .files(nil) || route == .filePreview(nil, nil)
            table[route.pattern.description] = (browsing ? .scope(.import) : .scope(.read), .scope(.import))
        }
        for route in personOnly { table[route.pattern.description] = (.person, .person) }
        return table
    }()

    /// What `method` on the route registered as `endpoint` (its pattern) needs.
    static func requirement(method: HTTPRequest.Method, endpoint: String) -> Requirement {
        let safe = AuthenticationMiddleware.isSafe(method)
        if method == .delete, endpoint == SiteRoute.source(nil).pattern.description { return .scope(.admin) }
        guard let entry = table[endpoint] else { return safe ? .scope(.read) : .scope(.admin) }
        return safe ? entry.safe : entry.unsafe
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

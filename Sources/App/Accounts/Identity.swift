import Foundation

/// The signed-in user a request acts for, as resolved by ``AuthenticationMiddleware``.
struct Identity: Sendable {
    /// How the request proved who it is.
    enum Method: Sendable {
        /// The browser session cookie; unsafe requests must also carry the session's CSRF token.
        case session(id: UUID, csrfToken: String)
        /// An API bearer token; not sent automatically by browsers, so no CSRF check is needed.
        case bearer(id: UUID)
        /// A workspace API key, acting as the admin who made it within its scope; valid on the
        /// API only (``APIKeyScopeMiddleware``).
        case apiKey(id: UUID, scope: APIKeyScope)
    }

    let userID: UUID
    let workspaceID: UUID
    let email: String
    let displayName: String
    let role: UserRole
    let method: Method
    /// The password is a one-time password that must be changed before anything else.
    var mustChangePassword = false

    /// The CSRF token forms on pages must echo, when signed in by cookie.
    var csrfToken: String? {
        if case .session(_, let token) = method { token } else { nil }
    }

    /// Whether this user may change the knowledge base and connections.
    var canAdminister: Bool { role == .owner || role == .admin }
}

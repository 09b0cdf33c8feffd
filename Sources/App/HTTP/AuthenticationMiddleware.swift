import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Resolves who a request comes from — an `Authorization: Bearer` token or the session
/// cookie — and enforces CSRF protection on every unsafe request not made with a bearer token.
///
/// CSRF: signed-in pages embed the session's token in forms (`_csrf`) and scripts send it as
/// `X-CSRF-Token`; before sign-in, the login form uses a double-submit cookie. A bearer-token
/// request needs neither, because browsers never attach bearer tokens on their own.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let csrfFormField = "_csrf"

    let accounts: Accounts
    let cookies: CookieNames
    /// Paths that accept unsafe requests without a CSRF token because they set no cookie and
    /// need none (JSON sign-in for API clients).
    let csrfExemptPaths: Set<String>
    /// Paths that never act for a user, whose `Authorization` header is not a Cirrus token
    /// (`/metrics` takes the metrics token).
    var identityFreePaths: Set<String> = [SiteRoute.metrics.path]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if identityFreePaths.contains(request.uri.path), Self.isSafe(request.method) { return try await next(request, context) }
        var context = context
        var request = request
        var bearer = false
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            guard let identity = try await accounts.identity(bearerToken: token) else { throw AuthError.notSignedIn }
            // A key's scope is checked on API routes only: pages and their forms never take one.
            if case .apiKey = identity.method, !request.uri.path.hasPrefix(SiteRoute.apiPrefix) { throw AuthError.notSignedIn }
            context.identity = identity
            bearer = true
        } else if let cookie = request.cookies[cookies.session]?.value,
            let identity = try await accounts.identity(sessionToken: cookie)
        {
            context.identity = identity
        }

        var issuedPreSessionToken: String?
        if let token = context.identity?.csrfToken {
            context.formCSRFToken = token
        } else if let token = request.cookies[cookies.preSessionCSRF]?.value, token.count >= 32 {
            context.formCSRFToken = token
        } else if !bearer {
            issuedPreSessionToken = SecureToken.make()
            context.formCSRFToken = issuedPreSessionToken
        }

        // A signed-out API call has nothing a forged request could act with: it gets the
        // route's 401 rather than a CSRF refusal (the only public unsafe API route is exempt).
        let signedOutAPICall = context.identity == nil && request.uri.path.hasPrefix(SiteRoute.apiPrefix)
        if !bearer, !signedOutAPICall, !Self.isSafe(request.method), !csrfExemptPaths.contains(request.uri.path) {
            let expected = issuedPreSessionToken == nil ? context.formCSRFToken : nil
            let presented = try await Self.presentedCSRFToken(in: &request, context: context)
            guard let expected, let presented, SecureToken.constantTimeEquals(expected, presented) else {
                throw AuthError.csrfRejected
            }
        }

        var response = try await next(request, context)
        // Only pages carry forms, so only they need the pre-sign-in token.
        if let issuedPreSessionToken, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.setCookie(cookies.cookie(cookies.preSessionCSRF, value: issuedPreSessionToken, sameSite: .strict))
        }
        return response
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }

    /// The token from the header, or from an url-encoded form body (kept readable for the handler).
    private static func presentedCSRFToken(in request: inout Request, context: Context) async throws -> String? {
        if let header = request.headers[csrfHeader] { return header }
        guard let contentType = request.headers[.contentType]?.lowercased(),
            contentType.hasPrefix("application/x-www-form-urlencoded")
        else { return nil }
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let form = String(buffer: body)
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == csrfFormField {
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        return nil
    }
}

/// Lets a request through only when someone is signed in; API clients get 401 JSON, people
/// get sent to the sign-in page and back.
struct RequireSignInMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// Whether to redirect browsers to `/login` instead of answering 401.
    let redirectToLogin: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity != nil else {
            if redirectToLogin {
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return .redirect(to: SiteRoute.login.with(["next": target]), type: .found)
            }
            throw AuthError.notSignedIn
        }
        return try await next(request, context)
    }
}

/// While an account still has its one-time password, lets through only what it takes to change
/// it (and to sign out): pages lead to Settings, API calls answer `password_change_required`.
struct PasswordChangeGate: RouterMiddleware {
    typealias Context = AppRequestContext
    let redirectToSettings: Bool

    static let allowed: Set<String> = Set(
        [SiteRoute.settingsPage, .passwordForm, .signOutEverywhereForm, .me, .myPassword, .apiLogout, .apiLogoutEverywhere].map(\.path))

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity?.mustChangePassword == true, !Self.allowed.contains(request.uri.path) else {
            return try await next(request, context)
        }
        if redirectToSettings { return .redirect(to: SiteRoute.settingsPage.with(["notice": SettingsPage.Notice.changePassword.rawValue]), type: .found) }
        throw AuthError.passwordChangeRequired
    }
}

import FluentKit
import Foundation
import Hummingbird

/// Signing in and out in the browser.
struct SessionController {
    let deps: Dependencies

    struct LoginForm: Decodable {
        let email: String
        let password: String
        let next: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(SiteRoute.home.pattern) { _, context -> Response in
            .redirect(to: context.identity == nil ? SiteRoute.login.path : SiteRoute.dashboard.path, type: .found)
        }
        router.get(SiteRoute.login.pattern) { request, context -> Response in
            if context.identity != nil { return .redirect(to: SiteRoute.dashboard.path, type: .found) }
            let next = request.uri.queryParameters["next"].map(String.init)
            return try page(LoginPage.Model(next: next, csrfToken: context.formCSRFToken, demo: deps.connectors.setup.standIn))
                .response(from: request, context: context)
        }
        router.post(SiteRoute.login.pattern, use: signIn)
        router.post(SiteRoute.logout.pattern, use: signOut)
    }

    private func page(_ model: LoginPage.Model, status: HTTPResponse.Status = .ok) -> HTMLResponse {
        HTMLResponse(status: status, html: LoginPage.render(model))
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: LoginForm.self, context: context)
        var model = LoginPage.Model(email: form.email, next: form.next, csrfToken: context.formCSRFToken, demo: deps.connectors.setup.standIn)
        let user: User
        do {
            user = try await SignIn(deps: deps).verify(email: form.email, password: form.password, clientAddress: context.clientAddress)
        } catch let error as AuthError {
            model.error = error.safeMessage
            var response = try page(model, status: ErrorMiddleware.status(for: error.kind)).response(from: request, context: context)
            if case .rateLimited(let seconds) = error.kind { response.headers[.retryAfter] = String(seconds) }
            return response
        }
        // A fresh session every time: one that existed before sign-in (perhaps planted) ends.
        if case .session(let previous, _)? = context.identity?.method { try await deps.accounts.endSession(id: previous) }
        let session = try await deps.accounts.startSession(for: user, clientAddress: context.clientAddress)
        var response = Response.redirect(to: Self.safeRedirectTarget(form.next), type: .normal)
        response.setCookie(deps.cookies.cookie(deps.cookies.session, value: session.token, expires: session.expiresAt, sameSite: .lax))
        response.setCookie(deps.cookies.expired(deps.cookies.preSessionCSRF, sameSite: .strict))
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let identity = context.identity, case .session(let id, _) = identity.method {
            try await deps.accounts.endSession(id: id)
            await deps.audit.record(
                .signOut, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email,
                clientAddress: context.clientAddress)
        }
        var response = Response.redirect(to: SiteRoute.login.path, type: .normal)
        response.setCookie(deps.cookies.expired(deps.cookies.session, sameSite: .lax))
        return response
    }

    /// Only local paths: `/admin/x` yes; `//evil.example`, `/\evil`, `https://…` no.
    /// Where to go after signing in: only a page of the admin area, and nothing a browser could
    /// read as another host (browsers drop tabs and line breaks, so `/\t/evil.example` would be
    /// `//evil.example`; a backslash counts as a slash).
    static func safeRedirectTarget(_ next: String?) -> String {
        let pages = SiteRoute.pagesPrefix
        guard let next, next == pages || next.hasPrefix(pages + "/") || next.hasPrefix(pages + "?"),
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" || $0.properties.isWhitespace })
        else { return SiteRoute.dashboard.path }
        return next
    }
}

/// Password sign-in with throttling and auditing, shared by the page and the API.
struct SignIn {
    let deps: Dependencies

    func verify(email: String, password: String, clientAddress: String?) async throws -> User {
        let account = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard Accounts.isPlausibleEmail(account) else {
            // Not an address at all: no account can match, so only the client's allowance is spent.
            try await deps.throttle.check(account: "", address: clientAddress)
            await deps.throttle.recordFailure(account: nil, address: clientAddress)
            throw AuthError.invalidCredentials
        }
        try await deps.throttle.check(account: account, address: clientAddress)
        do {
            let user = try await deps.accounts.verify(email: account, password: password)
            await deps.throttle.recordSuccess(account: account)
            await deps.audit.record(
                .signIn, workspaceID: user.$workspace.id, actorID: user.id, actorEmail: user.email, clientAddress: clientAddress)
            return user
        } catch AuthError.invalidCredentials {
            await deps.throttle.recordFailure(account: account, address: clientAddress)
            let known = try await User.query(on: deps.store.database).filter(\.$email == account).first()
            await deps.audit.record(
                .signInFailed, workspaceID: known?.$workspace.id, actorID: nil, actorEmail: String(account.prefix(254)),
                clientAddress: clientAddress)
            throw AuthError.invalidCredentials
        }
    }
}

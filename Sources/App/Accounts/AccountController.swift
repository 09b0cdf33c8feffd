import CirrusCore
import Foundation
import Hummingbird

/// The Settings page: the signed-in person's account (password, sessions, API tokens) and,
/// for admins, how the server is set up.
struct AccountController {
    let deps: Dependencies

    struct PasswordForm: Decodable {
        let currentPassword: String
        let newPassword: String
        let confirmPassword: String
    }

    func addRoutes(to group: RouterGroup<SignedInContext>) {
        group.get(SiteRoute.settingsPage.pattern) { request, context in
            let notice = request.uri.queryParameters["notice"].flatMap { SettingsPage.Notice(rawValue: String($0)) }
            return try await page(context, notice: notice)
        }
        let account = AccountSecurity(deps: deps)
        group.post(SiteRoute.passwordForm.pattern) { request, context -> Response in
            let identity = context.identity
            let form = try await request.decode(as: PasswordForm.self, context: context)
            do {
                guard form.newPassword == form.confirmPassword else { throw AuthError.invalidInput("The two new passwords differ.") }
                try await account.changePassword(identity, current: form.currentPassword, new: form.newPassword, clientAddress: context.clientAddress)
            } catch let error as AuthError {
                var refused = try await page(context, error: error.safeMessage)
                refused.status = ErrorMiddleware.status(for: error.kind)
                var response = try refused.response(from: request, context: context)
                if case .rateLimited(let seconds) = error.kind { response.headers[.retryAfter] = String(seconds) }
                return response
            }
            return .redirect(to: SiteRoute.settingsPage.with(["notice": SettingsPage.Notice.passwordChanged.rawValue]), type: .normal)
        }
        group.post(SiteRoute.signOutEverywhereForm.pattern) { _, context -> Response in
            try await account.signOutEverywhere(context.identity, clientAddress: context.clientAddress)
            var response = Response.redirect(to: SiteRoute.login.path, type: .normal)
            response.setCookie(deps.cookies.expired(deps.cookies.session, sameSite: .lax))
            return response
        }
        group.post(SiteRoute.revokeTokenForm(nil).pattern) { _, context -> Response in
            try await account.revokeToken(try context.parameters.require("id"), context.identity, clientAddress: context.clientAddress)
            return .redirect(to: SiteRoute.settingsPage.with(["notice": SettingsPage.Notice.tokenRevoked.rawValue]), type: .normal)
        }
    }

    func page(_ context: SignedInContext, notice: SettingsPage.Notice? = nil, error: String? = nil) async throws -> HTMLResponse {
        let identity = context.identity
        let config = deps.config
        let tokens = try await AccountSecurity(deps: deps).tokens(of: identity)
        let model = SettingsPage.Model(
            email: identity.email, displayName: identity.displayName, role: identity.role.rawValue, csrfToken: identity.csrfToken,
            notice: notice ?? (identity.mustChangePassword ? .changePassword : nil), error: error, tokens: tokens,
            // Paths and key counts are for the people who run the server, not for every member.
            showsServer: identity.canAdminister,
            database: deps.store.engine == .sqlite ? "SQLite (\(config.dataDirectory)/cirrus.sqlite)" : "PostgreSQL",
            demo: deps.connectors.setup.standIn, publicURL: config.apiBaseURL, encryptionKeyCount: max(1, config.encryptionKeys.count),
            configuredProviders: Platform.allCases.filter { config.providers[$0] != nil }.map(\.displayName))
        return HTMLResponse(html: SettingsPage.render(model, chrome: deps.chrome("Settings", .settings, identity)))
    }
}

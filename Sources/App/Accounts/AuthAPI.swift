import Foundation
import Hummingbird

/// `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/me`.
struct AuthAPI {
    let deps: Dependencies

    struct LoginRequest: Decodable {
        let email: String
        let password: String
    }

    struct LoginResponse: ResponseEncodable {
        let token: String
        let tokenType: String
        let expiresAt: Date
    }

    struct MeResponse: ResponseEncodable {
        let id: UUID
        let email: String
        let name: String
        let role: String
        let workspaceId: UUID
    }

    /// Routes that need no sign-in.
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(SiteRoute.apiLogin.pattern) { request, context -> LoginResponse in
            let body = try await request.decode(as: LoginRequest.self, context: context)
            let user = try await SignIn(deps: deps).verify(email: body.email, password: body.password, clientAddress: context.clientAddress)
            let issued = try await deps.accounts.issueAPIToken(for: user)
            await deps.audit.record(
                .apiTokenIssued, workspaceID: user.$workspace.id, actorID: user.id, actorEmail: user.email,
                clientAddress: context.clientAddress)
            return LoginResponse(token: issued.token, tokenType: "bearer", expiresAt: issued.expiresAt)
        }
    }

    struct SignedOutResponse: ResponseEncodable {
        /// Sessions and tokens ended, the caller's own included.
        let ended: Int
    }

    struct PasswordChange: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    struct TokenList: ResponseEncodable {
        let tokens: [AccountSecurity.TokenSummary]
    }

    /// Routes for signed-in callers.
    func addRoutes(to group: RouterGroup<SignedInContext>) {
        group.post(SiteRoute.apiLogout.pattern) { _, context -> HTTPResponse.Status in
            switch context.identity.method {
            case .bearer(let id): try await deps.accounts.revokeAPIToken(id: id)
            case .session(let id, _): try await deps.accounts.endSession(id: id)
            // Never reached (keys may not sign out; ``APIKeyRules``): a key is revoked on its page.
            case .apiKey: throw APIKeyError.personOnly
            }
            return .noContent
        }
        let account = AccountSecurity(deps: deps)
        group.post(SiteRoute.apiLogoutEverywhere.pattern) { _, context -> SignedOutResponse in
            SignedOutResponse(ended: try await account.signOutEverywhere(context.identity, clientAddress: context.clientAddress))
        }
        group.put(SiteRoute.myPassword.pattern) { request, context -> HTTPResponse.Status in
            let body = try await request.decode(as: PasswordChange.self, context: context)
            try await account.changePassword(
                context.identity, current: body.currentPassword, new: body.newPassword, clientAddress: context.clientAddress)
            return .noContent
        }
        group.get(SiteRoute.myTokens.pattern) { _, context -> TokenList in
            TokenList(tokens: try await account.tokens(of: context.identity))
        }
        group.delete(SiteRoute.myToken(nil).pattern) { _, context -> HTTPResponse.Status in
            try await account.revokeToken(try context.parameters.require("id"), context.identity, clientAddress: context.clientAddress)
            return .noContent
        }
        group.get(SiteRoute.me.pattern) { _, context -> MeResponse in
            let identity = context.identity
            return MeResponse(
                id: identity.userID, email: identity.email, name: identity.displayName, role: identity.role.rawValue,
                workspaceId: identity.workspaceID)
        }
    }
}

import Foundation
import Hummingbird

/// The People page (admins) and the page an invitation link opens (anyone holding the link).
struct PeopleController {
    let people: PeopleService
    let accounts: Accounts
    let cookies: CookieNames
    let chrome: PageChrome.Factory
    let demo: Bool

    struct InviteForm: Decodable {
        let email: String
        let role: UserRole
    }

    struct RoleForm: Decodable {
        let role: UserRole
    }

    struct AcceptForm: Decodable {
        let name: String?
        let password: String
        let confirmPassword: String
    }

    func addRoutes(adminPages: RouterGroup<AdminContext>, public router: Router<AppRequestContext>) {
        adminPages.get(SiteRoute.peoplePage.pattern) { request, context -> HTMLResponse in
            let notice = request.uri.queryParameters["notice"].flatMap { PeoplePage.Notice(rawValue: String($0)) }
            return try await page(context.identity, notice: notice)
        }
        adminPages.post(SiteRoute.peoplePage.pattern) { request, context -> Response in
            try await refusedInPage(request, context) {
                let form = try await request.decode(as: InviteForm.self, context: context)
                let issued = try await people.invite(email: form.email, role: form.role, by: context.identity, clientAddress: context.clientAddress)
                // The link is shown in this answer, never through a redirect or a cache.
                var response = try await page(context.identity, issued: issued).response(from: request, context: context)
                response.status = .created
                return response
            }
        }
        adminPages.post(SiteRoute.personRoleForm(nil).pattern) { request, context -> Response in
            try await refusedInPage(request, context) {
                let form = try await request.decode(as: RoleForm.self, context: context)
                _ = try await people.changeRole(
                    of: try context.idParameter(orThrow: PeopleError.notFound), to: form.role, by: context.identity, clientAddress: context.clientAddress)
                return .redirect(to: SiteRoute.peoplePage.with(["notice": PeoplePage.Notice.roleChanged.rawValue]), type: .normal)
            }
        }
        adminPages.post(SiteRoute.removePersonForm(nil).pattern) { request, context -> Response in
            try await refusedInPage(request, context) {
                try await people.remove(try context.idParameter(orThrow: PeopleError.notFound), by: context.identity, clientAddress: context.clientAddress)
                return .redirect(to: SiteRoute.peoplePage.with(["notice": PeoplePage.Notice.removed.rawValue]), type: .normal)
            }
        }
        adminPages.post(SiteRoute.revokeInvitationForm(nil).pattern) { request, context -> Response in
            try await refusedInPage(request, context) {
                try await people.revokeInvitation(
                    try context.idParameter(orThrow: PeopleError.invitationNotFound), by: context.identity, clientAddress: context.clientAddress)
                return .redirect(to: SiteRoute.peoplePage.with(["notice": PeoplePage.Notice.invitationRevoked.rawValue]), type: .normal)
            }
        }

        router.get(SiteRoute.invitationPage(nil).pattern) { request, context -> Response in
            let token = try context.parameters.require("token")
            let invitation = try await people.invitation(token: token)
            return try InvitationPage.page(.init(email: invitation.email, role: invitation.role, csrfToken: context.formCSRFToken, demo: demo))
                .response(from: request, context: context)
        }
        router.post(SiteRoute.invitationPage(nil).pattern) { request, context -> Response in
            let token = try context.parameters.require("token")
            let invitation = try await people.invitation(token: token)
            let form = try await request.decode(as: AcceptForm.self, context: context)
            let user: User
            do {
                guard form.password == form.confirmPassword else { throw AuthError.invalidInput("The two passwords differ.") }
                user = try await people.accept(invitation, name: form.name ?? "", password: form.password, clientAddress: context.clientAddress)
            } catch let error as AuthError {
                let model = InvitationPage.Model(
                    email: invitation.email, role: invitation.role, name: form.name ?? "", csrfToken: context.formCSRFToken, demo: demo,
                    error: error.safeMessage)
                return try InvitationPage.page(model, status: .badRequest).response(from: request, context: context)
            }
            // Signed in as the new account: a session that was there before (someone else's) ends.
            if case .session(let previous, _)? = context.identity?.method { try await accounts.endSession(id: previous) }
            let session = try await accounts.startSession(for: user, clientAddress: context.clientAddress)
            var response = Response.redirect(to: SiteRoute.dashboard.path, type: .normal)
            response.setCookie(cookies.cookie(cookies.session, value: session.token, expires: session.expiresAt, sameSite: .lax))
            response.setCookie(cookies.expired(cookies.preSessionCSRF, sameSite: .strict))
            return response
        }
    }

    /// Runs a form's change; a refusal (the last owner, an owner's role) is shown on the page.
    private func refusedInPage(_ request: Request, _ context: AdminContext, _ change: () async throws -> Response) async throws -> Response {
        do {
            return try await change()
        } catch let error as PeopleError where error != .notFound && error != .invitationNotFound {
            var response = try await page(context.identity, error: error.safeMessage).response(from: request, context: context)
            response.status = ErrorMiddleware.status(for: error.kind)
            return response
        }
    }

    private func page(
        _ identity: Identity, issued: PeopleService.IssuedInvitation? = nil, notice: PeoplePage.Notice? = nil, error: String? = nil
    )
        async throws -> HTMLResponse
    {
        let directory = try await people.directory(for: identity)
        let model = PeoplePage.Model(
            people: directory.people, invitations: directory.invitations, issued: issued, viewerIsOwner: identity.role == .owner,
            csrfToken: identity.csrfToken, notice: notice, error: error)
        return HTMLResponse(html: PeoplePage.render(model, chrome: chrome("People", .people, identity)))
    }
}

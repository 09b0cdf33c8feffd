import Foundation
import Hummingbird

/// `/api/v1/people` (admins, signed in as themselves): who is in the workspace and who is
/// invited; invite, revoke an invitation, change a role, remove someone.
struct PeopleAPI {
    let people: PeopleService

    struct DirectoryResponse: ResponseEncodable {
        let people: [PeopleService.Person]
        let invitations: [PeopleService.PendingInvitation]
    }

    struct InviteRequest: Decodable {
        let email: String
        let role: UserRole
    }

    struct InvitedResponse: ResponseEncodable {
        /// The one-time link to send the person: in this answer only.
        let link: String
        let invitation: PeopleService.PendingInvitation
    }

    struct RoleChange: Decodable {
        let role: UserRole
    }

    struct PersonResponse: ResponseEncodable {
        let person: PeopleService.Person
    }

    func addRoutes(to admin: RouterGroup<AdminContext>) {
        admin.get(SiteRoute.people.pattern) { _, context -> DirectoryResponse in
            let directory = try await people.directory(for: context.identity)
            return DirectoryResponse(people: directory.people, invitations: directory.invitations)
        }
        admin.post(SiteRoute.invitations.pattern) { request, context -> Response in
            let body = try await request.decode(as: InviteRequest.self, context: context)
            let issued = try await people.invite(email: body.email, role: body.role, by: context.identity, clientAddress: context.clientAddress)
            var response = try InvitedResponse(link: issued.link, invitation: issued.invitation).response(from: request, context: context)
            response.status = .created
            return response
        }
        admin.delete(SiteRoute.invitation(nil).pattern) { _, context -> HTTPResponse.Status in
            try await people.revokeInvitation(
                try context.idParameter(orThrow: PeopleError.invitationNotFound), by: context.identity, clientAddress: context.clientAddress)
            return .noContent
        }
        admin.patch(SiteRoute.person(nil).pattern) { request, context -> PersonResponse in
            let body = try await request.decode(as: RoleChange.self, context: context)
            return PersonResponse(
                person: try await people.changeRole(
                    of: try context.idParameter(orThrow: PeopleError.notFound), to: body.role, by: context.identity, clientAddress: context.clientAddress))
        }
        admin.delete(SiteRoute.person(nil).pattern) { _, context -> HTTPResponse.Status in
            try await people.remove(try context.idParameter(orThrow: PeopleError.notFound), by: context.identity, clientAddress: context.clientAddress)
            return .noContent
        }
    }
}

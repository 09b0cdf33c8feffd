import FluentKit
import Foundation

/// Who is in a workspace: inviting people by a one-time link, changing roles, removing people.
/// Owners and admins manage people; only owners make, change or remove owners, and the last
/// owner stays one. Every change is recorded in the activity log.
struct PeopleService: Sendable {
    let store: Store
    let accounts: Accounts
    let audit: Audit
    let flow: OAuthFlow
    /// Where invitation links point (the server's public URL).
    let publicURL: String

    static let invitationLifetime: TimeInterval = 7 * 86400

    /// A person of the workspace, as the People page and API list them.
    struct Person: Sendable, Encodable, Equatable {
        let id: UUID
        let email: String
        let name: String
        let role: UserRole
        let joinedAt: Date?
        /// Whether this is the person asking.
        let you: Bool
    }

    /// An invitation not yet accepted.
    struct PendingInvitation: Sendable, Encodable, Equatable {
        let id: UUID
        let email: String
        let role: UserRole
        let invitedBy: String?
        let createdAt: Date?
        let expiresAt: Date
        let expired: Bool
    }

    /// An invitation just made: the link (shown once to copy; only its hash is kept) and its row.
    struct IssuedInvitation: Sendable {
        let link: String
        let invitation: PendingInvitation
    }

    struct Directory: Sendable {
        let people: [Person]
        let invitations: [PendingInvitation]
    }

    func directory(for identity: Identity, now: Date = Date()) async throws -> Directory {
        let database = store.database
        let people = try await User.query(on: database).filter(\.$workspace.$id == identity.workspaceID).sort(\.$createdAt).all()
        let invitations = try await Invitation.query(on: database).filter(\.$workspace.$id == identity.workspaceID).with(\.$inviter)
            .sort(\.$createdAt, .descending).all()
        return Directory(
            people: people.map { Self.person($0, asking: identity) },
            invitations: invitations.map { Self.pending($0, now: now) })
    }

    /// Invites `email` to the workspace with `role`; a pending invitation to the same address is
    /// replaced (its link stops working).
    func invite(email: String, role: UserRole, by identity: Identity, clientAddress: String?, now: Date = Date()) async throws -> IssuedInvitation {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard Accounts.isPlausibleEmail(email) else { throw PeopleError.invalidEmail }
        if role == .owner, identity.role != .owner { throw PeopleError.ownersOnly }
        let database = store.database
        if try await User.query(on: database).filter(\.$email == email).first() != nil { throw PeopleError.alreadyMember }
        try await Invitation.query(on: database).filter(\.$workspace.$id == identity.workspaceID).filter(\.$email == email).delete()
        let token = SecureToken.make()
        let invitation = Invitation(
            workspaceID: identity.workspaceID, email: email, role: role, tokenHash: SecureToken.hash(token), inviterID: identity.userID,
            expiresAt: now.addingTimeInterval(Self.invitationLifetime))
        try await invitation.create(on: database)
        await record(.personInvited, identity, detail: "\(email) as \(role.rawValue)", clientAddress: clientAddress)
        return IssuedInvitation(
            link: publicURL + SiteRoute.invitationPage(token).path,
            invitation: PendingInvitation(
                id: try invitation.requireID(), email: email, role: role, invitedBy: identity.email, createdAt: invitation.createdAt,
                expiresAt: invitation.expiresAt, expired: false))
    }

    func revokeInvitation(_ id: UUID, by identity: Identity, clientAddress: String?) async throws {
        guard
            let invitation = try await Invitation.query(on: store.database).filter(\.$id == id)
                .filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw PeopleError.invitationNotFound }
        if invitation.role == .owner, identity.role != .owner { throw PeopleError.ownersOnly }
        try await invitation.delete(on: store.database)
        await record(.invitationRevoked, identity, detail: invitation.email, clientAddress: clientAddress)
    }

    /// The invitation behind a link, if it can still be accepted.
    func invitation(token: String, now: Date = Date()) async throws -> Invitation {
        guard let invitation = try await Invitation.query(on: store.database).filter(\.$tokenHash == SecureToken.hash(token)).first(),
            invitation.expiresAt > now
        else { throw PeopleError.invitationInvalid }
        return invitation
    }

    /// Makes the invited person's account with the password they chose (the invitation as
    /// ``invitation(token:)`` found it); the link is used up.
    func accept(_ invitation: Invitation, name: String, password: String, clientAddress: String?) async throws -> User {
        // A password the rules refuse leaves the link working for the next try.
        try Accounts.checkNewPassword(password)
        // Used up before the account exists: two tabs submitting at once cannot both create one.
        let deleted = try await store.sql.delete(from: Invitation.schema).where("id", .equal, invitation.requireID()).returning("id").all()
        guard !deleted.isEmpty else { throw PeopleError.invitationInvalid }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let user = try await accounts.createUser(
            email: invitation.email, password: password, displayName: trimmed.isEmpty ? nil : String(trimmed.prefix(100)), role: invitation.role,
            workspaceID: invitation.$workspace.id)
        await audit.record(
            .invitationAccepted, workspaceID: user.$workspace.id, actorID: user.id, actorEmail: user.email, detail: "joined as \(user.role.rawValue)",
            clientAddress: clientAddress)
        return user
    }

    func changeRole(of personID: UUID, to role: UserRole, by identity: Identity, clientAddress: String?) async throws -> Person {
        let person = try await member(personID, of: identity)
        guard person.role != role else { return Self.person(person, asking: identity) }
        if identity.role != .owner, role == .owner || person.role == .owner { throw PeopleError.ownersOnly }
        if person.role == .owner { try await requireAnotherOwner(besides: person) }
        let previous = person.role
        person.role = role
        try await person.save(on: store.database)
        await record(.roleChanged, identity, detail: "\(person.email): \(previous.rawValue) → \(role.rawValue)", clientAddress: clientAddress)
        return Self.person(person, asking: identity)
    }

    /// Removes a person: their connections are disconnected (revoked at the provider where it can
    /// be), their sessions, tokens and API keys end at once with their account; the documents
    /// they imported stay in the workspace.
    func remove(_ personID: UUID, by identity: Identity, clientAddress: String?) async throws {
        let person = try await member(personID, of: identity)
        guard personID != identity.userID else { throw PeopleError.notYourself }
        if person.role == .owner {
            guard identity.role == .owner else { throw PeopleError.ownersOnly }
            try await requireAnotherOwner(besides: person)
        }
        // No session or token may act for them while their connections are revoked.
        try await accounts.signOutEverywhere(userID: personID)
        let connections = try await UserIntegration.query(on: store.database).filter(\.$user.$id == personID).all(\.$platform)
        for platform in connections {
            _ = try? await flow.disconnect(
                platform, ownerID: personID, workspaceID: identity.workspaceID, actor: identity, clientAddress: clientAddress)
        }
        try await person.delete(on: store.database)
        await record(.personRemoved, identity, detail: "\(person.email) (\(person.role.rawValue))", clientAddress: clientAddress)
    }

    private func member(_ id: UUID, of identity: Identity) async throws -> User {
        guard let user = try await User.query(on: store.database).filter(\.$id == id).filter(\.$workspace.$id == identity.workspaceID).first()
        else { throw PeopleError.notFound }
        return user
    }

    private func requireAnotherOwner(besides person: User) async throws {
        let owners = try await User.query(on: store.database).filter(\.$workspace.$id == person.$workspace.id).filter(\.$role == .owner).count()
        guard owners > 1 else { throw PeopleError.lastOwner }
    }

    private func record(_ action: Audit.Action, _ identity: Identity, detail: String, clientAddress: String?) async {
        await audit.record(
            action, workspaceID: identity.workspaceID, actorID: identity.userID, actorEmail: identity.email, detail: detail, clientAddress: clientAddress)
    }

    private static func person(_ user: User, asking identity: Identity) -> Person {
        Person(id: user.id!, email: user.email, name: user.displayName, role: user.role, joinedAt: user.createdAt, you: user.id == identity.userID)
    }

    private static func pending(_ invitation: Invitation, now: Date) -> PendingInvitation {
        PendingInvitation(
            id: invitation.id!, email: invitation.email, role: invitation.role, invitedBy: invitation.inviter?.email, createdAt: invitation.createdAt,
            expiresAt: invitation.expiresAt, expired: invitation.expiresAt <= now)
    }
}

import CirrusCore

/// Failures of inviting people and managing who is in a workspace.
enum PeopleError: UserFacingError, Equatable {
    case notFound
    case invitationNotFound
    /// The link was used, revoked, or has expired.
    case invitationInvalid
    case invalidEmail
    case alreadyMember
    /// Admins may not make owners, nor change or remove them.
    case ownersOnly
    case lastOwner
    case notYourself

    var code: String {
        switch self {
        case .notFound: "person_not_found"
        case .invitationNotFound: "invitation_not_found"
        case .invitationInvalid: "invitation_invalid"
        case .invalidEmail: "invalid_request"
        case .alreadyMember: "already_has_account"
        case .ownersOnly: "owners_only"
        case .lastOwner: "last_owner"
        case .notYourself: "cannot_remove_yourself"
        }
    }

    var safeMessage: String {
        switch self {
        case .notFound: "There is no such person in this workspace."
        case .invitationNotFound: "There is no such invitation."
        case .invitationInvalid: "This invitation link was already used, was revoked, or has expired. Ask for a new one."
        case .invalidEmail: "Enter a valid email address."
        case .alreadyMember: "Someone with this email address already has an account."
        case .ownersOnly: "Only an owner can make owners or change and remove them."
        case .lastOwner: "The workspace needs an owner: make someone else owner first."
        case .notYourself: "You cannot remove yourself; another admin or owner can."
        }
    }

    var kind: FailureKind {
        switch self {
        case .notFound, .invitationNotFound: .notFound
        case .invitationInvalid: .notFound
        case .invalidEmail: .badRequest
        case .alreadyMember: .conflict
        case .ownersOnly: .forbidden
        case .lastOwner, .notYourself: .conflict
        }
    }
}

import FluentKit
import Foundation

/// An invitation to join a workspace: a one-time link whose token is stored as its SHA-256,
/// valid until it expires or is used.
final class Invitation: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    /// Lower-cased, as accounts are.
    @Field(key: "email") var email: String
    @Enum(key: "role") var role: UserRole
    @Field(key: "token_hash") var tokenHash: String
    @OptionalParent(key: "invited_by") var inviter: User?
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(workspaceID: UUID, email: String, role: UserRole, tokenHash: String, inviterID: UUID, expiresAt: Date) {
        self.$workspace.id = workspaceID
        self.email = email
        self.role = role
        self.tokenHash = tokenHash
        self.$inviter.id = inviterID
        self.expiresAt = expiresAt
    }
}

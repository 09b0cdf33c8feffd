import FluentKit
import Foundation

/// What a user may do in their workspace.
enum UserRole: String, Codable, Sendable, CaseIterable {
    /// Created at first start; can do everything, including managing admins.
    case owner
    /// Connects accounts, imports and deletes documents.
    case admin
    /// Uses the chat; cannot change the knowledge base.
    case member
}

/// A person who signs in to Cirrus.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    /// Stored lower-cased, so sign-in is case-insensitive on the address.
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Enum(key: "role") var role: UserRole
    /// Set while the password is a generated one-time password: every page leads to changing it.
    @OptionalField(key: "must_change_password") var mustChangePassword: Bool?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, workspaceID: UUID, email: String, displayName: String, passwordHash: String, role: UserRole) {
        self.id = id
        self.$workspace.id = workspaceID
        self.email = email.lowercased()
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role
    }
}

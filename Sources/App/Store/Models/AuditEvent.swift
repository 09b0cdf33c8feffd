import FluentKit
import Foundation

/// Something a person did that an operator may need to account for later: sign-ins,
/// connections, imports, deletions. Never holds a secret.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "workspace_id") var workspace: Workspace?
    @OptionalParent(key: "actor_id") var actor: User?
    /// The address typed at sign-in, kept for failed attempts where there is no actor.
    @OptionalField(key: "actor_email") var actorEmail: String?
    @Field(key: "action") var action: String
    @OptionalField(key: "platform") var platform: String?
    @OptionalField(key: "detail") var detail: String?
    @OptionalField(key: "client_address") var clientAddress: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(
        workspaceID: UUID?, actorID: UUID?, actorEmail: String?, action: String, platform: String? = nil,
        detail: String? = nil, clientAddress: String?
    ) {
        self.$workspace.id = workspaceID
        self.$actor.id = actorID
        self.actorEmail = actorEmail
        self.action = action
        self.platform = platform
        self.detail = detail
        self.clientAddress = clientAddress
    }
}

import FluentKit
import Foundation

/// A workspace's outbound webhook: where notifications are posted, signed with its secret.
final class WebhookEndpoint: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "url") var url: String
    /// The HMAC key, sealed like provider tokens.
    @Field(key: "sealed_secret") var sealedSecret: String
    @Field(key: "enabled") var enabled: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// Where a delivery stands.
enum WebhookDeliveryState: String, Codable, Sendable {
    case pending, delivered, failed
}

/// One notification posted (or to be posted) to a workspace's webhook, with its attempts.
final class WebhookDelivery: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Enum(key: "kind") var kind: NotificationKind
    /// The JSON body, exactly as signed and sent.
    @Field(key: "payload") var payload: String
    @Enum(key: "state") var state: WebhookDeliveryState
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "last_status") var lastStatus: Int?
    @OptionalField(key: "last_error") var lastError: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?

    init() {}
}

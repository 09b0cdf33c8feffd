import FluentKit
import Foundation

/// A bearer token for the REST API, made by `POST /api/v1/auth/login`. Stored as its SHA-256.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "name") var name: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, tokenHash: String, name: String, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.name = name
        self.expiresAt = expiresAt
    }
}

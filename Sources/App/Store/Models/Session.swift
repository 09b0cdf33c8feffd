import FluentKit
import Foundation

/// A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
/// copy of the database does not let anyone sign in.
final class BrowserSession: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    /// Sent back in every form and in `X-CSRF-Token`; compared in constant time.
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "client_address") var clientAddress: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, tokenHash: String, csrfToken: String, expiresAt: Date, clientAddress: String?) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
        self.clientAddress = clientAddress
    }
}

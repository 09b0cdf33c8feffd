import CirrusCore
import FluentKit
import Foundation

/// A pending authorization: the `state` sent to a provider, bound to who started it, with the
/// PKCE verifier sealed. Single use; expires after ten minutes.
final class OAuthState: Model, @unchecked Sendable {
    static let schema = "oauth_states"

    @ID(key: .id) var id: UUID?
    @Field(key: "state_hash") var stateHash: String
    @Parent(key: "user_id") var user: User
    @Parent(key: "workspace_id") var workspace: Workspace
    @Field(key: "platform") var platform: Platform
    @Field(key: "code_verifier") var sealedCodeVerifier: String
    @Field(key: "expires_at") var expiresAt: Date
    /// SHA-256 of the nonce in the starting browser's `cirrus_oauth` cookie (browser flows).
    @OptionalField(key: "browser_binding_hash") var browserBindingHash: String?
    /// The API token that started the flow (API clients).
    @OptionalField(key: "api_token_id") var apiTokenID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

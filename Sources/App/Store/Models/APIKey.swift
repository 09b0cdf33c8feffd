import FluentKit
import Foundation

/// What an API key may do, from least to most. A key never does more than the admin who made
/// it may do at the time it is used.
enum APIKeyScope: String, Codable, Sendable, CaseIterable, Comparable {
    /// Read the knowledge base, the connections, imports and activity, and ask the chatbot.
    case read
    /// `read`, plus browse connected accounts, start and re-run imports, and run synced sources.
    case `import`
    /// Everything an admin may do through the API, except managing API keys and accounts.
    case admin

    static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// In words, for the API keys page.
    var summary: String {
        switch self {
        case .read: "Read documents, imports and activity; ask the chatbot"
        case .import: "Read, plus browse accounts, import and sync"
        case .admin: "Everything an admin can do in the API, except keys and accounts"
        }
    }
}

/// A workspace's key for integrators, made by an admin on the API keys page or
/// `POST /api/v1/api-keys`. Only the key's SHA-256 and its first characters (to tell keys apart
/// in a list) are stored; the key itself is shown once.
final class APIKey: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    /// The admin who made it; the key acts as them, limited by its scope.
    @Parent(key: "created_by") var creator: User
    @Field(key: "name") var name: String
    @Enum(key: "scope") var scope: APIKeyScope
    @Field(key: "key_hash") var keyHash: String
    /// The key's first characters, e.g. `cirrus_k3Fq9`, shown in lists.
    @Field(key: "key_prefix") var keyPrefix: String
    /// `nil`: the key does not expire.
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(workspaceID: UUID, creatorID: UUID, name: String, scope: APIKeyScope, keyHash: String, keyPrefix: String, expiresAt: Date?) {
        self.$workspace.id = workspaceID
        self.$creator.id = creatorID
        self.name = name
        self.scope = scope
        self.keyHash = keyHash
        self.keyPrefix = keyPrefix
        self.expiresAt = expiresAt
    }
}

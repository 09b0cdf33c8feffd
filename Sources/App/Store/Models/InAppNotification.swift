import FluentKit
import Foundation

/// What a notification is about; each person can mute kinds.
enum NotificationKind: String, Codable, Sendable, CaseIterable {
    /// An import ended with files that failed.
    case importFailed = "import_failed"
    /// A connection's sign-in was refused by the provider: someone must reconnect it.
    case needsReconnect = "connection_needs_reconnect"
    /// A synced source's run failed.
    case syncFailed = "sync_failed"
    /// Refreshing a connection's token failed again (not refused: the provider kept failing).
    case refreshFailing = "refresh_failing"

    /// In words, for the mute settings.
    var label: String {
        switch self {
        case .importFailed: "An import ended with failed files"
        case .needsReconnect: "A connection needs reconnecting"
        case .syncFailed: "A synced source failed to sync"
        case .refreshFailing: "A connection's token refresh keeps failing"
        }
    }
}

/// One message to one person (the owner of the import, connection or source it is about).
final class InAppNotification: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    @Parent(key: "user_id") var user: User
    @Enum(key: "kind") var kind: NotificationKind
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    /// A page of ours to go to (a path), if any.
    @OptionalField(key: "link") var link: String?
    /// What it is about (`import:<id>`): while one is unread, the same thing does not notify again.
    @Field(key: "subject") var subject: String
    @OptionalField(key: "read_at") var readAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A kind of notification a person does not want.
final class NotificationMute: Model, @unchecked Sendable {
    static let schema = "notification_mutes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Enum(key: "kind") var kind: NotificationKind

    init() {}

    init(userID: UUID, kind: NotificationKind) {
        self.$user.id = userID
        self.kind = kind
    }
}

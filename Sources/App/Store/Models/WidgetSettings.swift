import FluentKit
import Foundation

/// A workspace's website widget (the seed's "Widget Settings"): where it may be embedded and how it looks.
final class WidgetSettings: Model, @unchecked Sendable {
    static let schema = "widget_settings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    /// The public id in the snippet that names the widget (not a secret: the origins are the check).
    @Field(key: "site_key") var siteKey: String
    @Field(key: "enabled") var enabled: Bool
    /// The origins allowed to embed it, as a JSON array of `scheme://host[:port]`.
    @Field(key: "allowed_origins_json") var allowedOriginsJSON: String
    @Field(key: "colour") var colour: String
    @Enum(key: "position") var position: WidgetPosition
    @Field(key: "launcher_text") var launcherText: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

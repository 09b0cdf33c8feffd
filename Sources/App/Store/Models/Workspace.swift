import FluentKit
import Foundation

/// A tenant: users, connections and documents belong to exactly one workspace, and nothing
/// crosses between workspaces.
final class Workspace: Model, @unchecked Sendable {
    static let schema = "workspaces"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, name: String) {
        self.id = id
        self.name = name
    }
}

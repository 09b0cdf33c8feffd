import CirrusCore
import FluentKit
import Foundation

/// A saved selection of one connection that Cirrus keeps in step with the provider: the roots
/// (files and folders) the admin imported, the category their documents get, how often it is
/// checked, and what the last run did.
final class SyncedSource: Model, @unchecked Sendable {
    static let schema = "synced_sources"

    @ID(key: .id) var id: UUID?
    @Parent(key: "workspace_id") var workspace: Workspace
    /// Whose connection the source reads (connections are per user and platform).
    @Parent(key: "user_id") var user: User
    @Field(key: "platform") var platform: Platform
    /// The selected provider ids, as a JSON array.
    @Field(key: "roots_json") var rootsJSON: String
    @Field(key: "category") var category: String
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "interval_seconds") var intervalSeconds: Int
    @Field(key: "next_run_at") var nextRunAt: Date
    @OptionalField(key: "last_run_at") var lastRunAt: Date?
    /// Why the last run did not finish (or why sync is paused); `nil` after a good run.
    @OptionalField(key: "last_error") var lastError: String?
    /// How the last run ended.
    @OptionalField(key: "last_outcome") var lastOutcome: SyncOutcome?
    /// What the last run that found changes applied, as JSON ``SyncChangeCounts``.
    @OptionalField(key: "last_changes_json") var lastChangesJSON: String?
    /// Every change applied since the source was created, as JSON ``SyncChangeCounts``.
    @OptionalField(key: "total_changes_json") var totalChangesJSON: String?
    /// The process running this source now (a random id), and since when; a claim older than the
    /// lease belongs to a process that died.
    @OptionalField(key: "claim") var claim: String?
    @OptionalField(key: "claimed_at") var claimedAt: Date?
    /// When someone asked for a run now ("Sync now", a push): a request made during a run
    /// brings the next one forward instead of being lost.
    @OptionalField(key: "requested_at") var requestedAt: Date?
    /// Where the provider's change feed was read up to (``FeedCursor/encoded``); `nil` when the
    /// provider has none for these roots, and every run compares in full.
    @OptionalField(key: "feed_cursor") var feedCursor: String?
    /// The folders the last full comparison walked, as a JSON array: a change in the feed
    /// concerns the source when it touches one of them or a file the source holds.
    @OptionalField(key: "scope_json") var scopeJSON: String?
    /// When the last full comparison ran (the net under the feed).
    @OptionalField(key: "reconciled_at") var reconciledAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var roots: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(rootsJSON.utf8))) ?? [] }
        set { rootsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    /// New roots are not in the feed's bookmark nor the walked scope: the next run compares in
    /// full and takes a bookmark that covers them.
    func restartFeed() {
        feedCursor = nil
        scopeJSON = nil
        reconciledAt = nil
    }

    var scope: Set<String> {
        Set(scopeJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
    }

    var lastChanges: SyncChangeCounts? {
        lastChangesJSON.flatMap { try? JSONDecoder().decode(SyncChangeCounts.self, from: Data($0.utf8)) }
    }

    var totalChanges: SyncChangeCounts {
        totalChangesJSON.flatMap { try? JSONDecoder().decode(SyncChangeCounts.self, from: Data($0.utf8)) } ?? .init()
    }
}

/// How a sync run ended. Stored as the raw value, and the label of the runs metric.
enum SyncOutcome: String, Codable, Sendable {
    /// The change feed had nothing for the source: no folder was listed.
    case feedQuiet = "feed_quiet"
    /// The feed had something for the source, which was then compared in full.
    case feedChanged = "feed_changed"
    /// A full comparison: the first run, the periodic one, after a feed reset or new roots.
    case reconciled
    /// Waiting for the admin: the connection is gone or must be reconnected.
    case paused
    /// The run stopped on an error; the next one tries again.
    case failed
}

/// What one sync run applied, by kind of change. The same meaning on every provider.
struct SyncChangeCounts: Codable, Sendable, Equatable {
    /// New files in scope (or files restored from the trash), queued for import.
    var added = 0
    /// Files whose content changed, queued to be imported again in place.
    var updated = 0
    /// Files whose name changed while their content did not: title and citations updated, no re-embedding.
    var renamed = 0
    /// Files that moved to another folder inside the source.
    var moved = 0
    /// Files deleted, trashed, moved out of the source or no longer shared: gone from the knowledge base.
    var removed = 0

    var total: Int { added + updated + renamed + moved + removed }

    static func + (lhs: Self, rhs: Self) -> Self {
        .init(
            added: lhs.added + rhs.added, updated: lhs.updated + rhs.updated, renamed: lhs.renamed + rhs.renamed, moved: lhs.moved + rhs.moved,
            removed: lhs.removed + rhs.removed)
    }

    /// "2 added, 1 removed", or "no changes".
    var summary: String {
        let parts = [("added", added), ("updated", updated), ("renamed", renamed), ("moved", moved), ("removed", removed)]
            .filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
        return parts.isEmpty ? "no changes" : parts.joined(separator: ", ")
    }
}

import CirrusCore
import FluentKit
import Foundation
import SQLKit

/// Limits on how often sources are synced.
enum SyncSettings {
    static let minimumInterval = 10
    static let maximumInterval = 7 * 86400
}

/// When synced sources run, shared by every process through the store: a process claims a due
/// source under a lease (renewed while it runs, so a killed process's source is taken over once
/// the lease lapses), at most one source per connection runs at a time, and the run's end
/// schedules the next one.
struct SyncSchedule: Sendable {
    let store: Store
    let lease: TimeInterval
    /// This process, in claims.
    let owner: String
    var heartbeatInterval: Duration { .seconds(max(1, lease / 3)) }

    init(store: Store, lease: TimeInterval = 60, owner: String = UUID().uuidString) {
        self.store = store
        self.lease = lease
        self.owner = owner
    }

    /// Takes the source that has waited longest past its time, if any.
    func claim(now: Date = Date()) async throws -> SyncedSource? {
        let stale = now.addingTimeInterval(-lease)
        let skipLocked = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await store.sql.raw(
            """
            UPDATE synced_sources SET claim = \(bind: owner), claimed_at = \(bind: now)
            WHERE id = (SELECT s.id FROM synced_sources s
                WHERE s.enabled = \(bind: true) AND s.next_run_at <= \(bind: now) AND (s.claimed_at IS NULL OR s.claimed_at < \(bind: stale))
                AND NOT EXISTS (SELECT 1 FROM synced_sources o WHERE o.user_id = s.user_id AND o.platform = s.platform AND o.id <> s.id
                    AND o.claimed_at IS NOT NULL AND o.claimed_at >= \(bind: stale))
                ORDER BY s.next_run_at, s.id LIMIT 1\(unsafeRaw: skipLocked))
            AND (claimed_at IS NULL OR claimed_at < \(bind: stale))
            RETURNING id
            """
        ).all()
        guard let row = rows.first, let id = try? row.decode(column: "id", as: UUID.self) else { return nil }
        return try await SyncedSource.find(id, on: store.database)
    }

    /// Renews this process's claim on a source it is running.
    func heartbeat(_ id: UUID, now: Date = Date()) async throws {
        try await store.sql.raw(
            "UPDATE synced_sources SET claimed_at = \(bind: now) WHERE id = \(bind: id) AND claim = \(bind: owner)"
        ).run()
    }

    /// Ends a run: records its outcome and schedules the next one — after the interval, at once
    /// when a run was asked for while this one ran, or at the follow-up asked for after it began.
    func finish(
        _ source: SyncedSource, startedAt: Date, outcome: SyncOutcome, changes: SyncChangeCounts?, error: String?, now: Date = Date()
    ) async throws {
        let id = try source.requireID()
        let next = now.addingTimeInterval(TimeInterval(source.intervalSeconds))
        var total = source.totalChanges
        var last = source.lastChangesJSON
        if let changes {
            total = total + changes
            if changes.total > 0 { last = Self.json(changes) }
        }
        try await store.sql.raw(
            """
            UPDATE synced_sources SET claim = NULL, claimed_at = NULL, last_run_at = \(bind: now), last_error = \(bind: error),
                last_outcome = \(bind: outcome.rawValue),
                last_changes_json = \(bind: last), total_changes_json = \(bind: Self.json(total)), updated_at = \(bind: now),
                next_run_at = CASE WHEN requested_at IS NOT NULL AND requested_at > \(bind: startedAt) THEN \(bind: now)
                    WHEN follow_up_at IS NOT NULL AND follow_up_at > \(bind: startedAt) AND follow_up_at < \(bind: next) THEN follow_up_at
                    ELSE \(bind: next) END,
                requested_at = CASE WHEN requested_at IS NOT NULL AND requested_at > \(bind: startedAt) THEN requested_at ELSE NULL END,
                follow_up_at = CASE WHEN follow_up_at IS NOT NULL AND follow_up_at > \(bind: startedAt) THEN follow_up_at ELSE NULL END
            WHERE id = \(bind: id) AND claim = \(bind: owner)
            """
        ).run()
    }

    /// Asks for a run as soon as possible (after the one in progress, if any), and with
    /// `followUpAfter` another that long from now: a change feed can lag the provider's
    /// notification of it (Drive's does, by up to a minute or two), so the first run may find
    /// nothing yet. A later request moves the follow-up later; each runs at once anyway.
    func request(_ id: UUID, followUpAfter delay: TimeInterval = 0, now: Date = Date()) async throws {
        let followUp: SQLQueryString = delay > 0 ? ", follow_up_at = \(bind: now.addingTimeInterval(delay))" : ""
        try await store.sql.raw(
            "UPDATE synced_sources SET requested_at = \(bind: now), next_run_at = \(bind: now), updated_at = \(bind: now)\(followUp) WHERE id = \(bind: id)"
        ).run()
    }

    /// Makes the source's next run compare in full rather than trust its feed (after its
    /// imports, whose results may be older than the feed's bookmark). The run keeps its time:
    /// a run right after every import would double the provider calls of a busy source.
    static func requestFullComparison(_ id: UUID, in store: Store, now: Date = Date()) async throws {
        try await store.sql.raw(
            "UPDATE synced_sources SET reconciled_at = NULL, updated_at = \(bind: now) WHERE id = \(bind: id)"
        ).run()
    }

    /// On start-up of the only process (SQLite), every claim is left over from a stopped one.
    func releaseAll() async throws {
        try await store.sql.raw("UPDATE synced_sources SET claim = NULL, claimed_at = NULL WHERE claim IS NOT NULL").run()
    }

    static func json(_ counts: SyncChangeCounts) -> String {
        String(decoding: (try? JSONEncoder().encode(counts)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

import CirrusCore
import Connectors
import FluentKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Near-real-time sync with no public URL (so it works on a laptop): for every enabled source
/// whose provider can long-poll its change feed (Dropbox's `list_folder/longpoll`), one waiting
/// call per feed position. A change only asks for a run at once — the run reads the feed and
/// decides, as any other — and the run's new bookmark starts the next wait.
struct LongpollWatcher: Service {
    let store: Store
    let connectors: ConnectorRegistry
    let schedule: SyncSchedule
    let logger: Logger
    /// How often the sources are looked at again for new or moved bookmarks.
    var rescan: Duration = .seconds(2)
    /// How long one call waits at the provider (Dropbox: 30 to 480 s, plus its jitter).
    var waitSeconds = 30
    /// A position that led to a run is not waited on again sooner than this (a run that fails
    /// leaves the bookmark where it was; the feed would answer "changed" at once, forever).
    var quietAfterRequest: TimeInterval = 30

    /// The positions being waited on, and when each last asked for a run.
    private final class State: Sendable {
        let watching = Mutex<Set<String>>([])
        let requested = Mutex<[String: Date]>([:])
    }

    func run() async throws {
        let state = State()
        // Which providers can long-poll does not change while the process runs.
        let platforms = Platform.allCases.filter { (try? connectors.connector($0)) is any LongpollConnector }
        guard !platforms.isEmpty else { return }
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                for (sourceID, platform, position) in (try? await positions(of: platforms)) ?? [] {
                    let key = "\(sourceID)|\(position)"
                    guard state.watching.withLock({ $0.insert(key).inserted }) else { continue }
                    group.addTask {
                        await watch(sourceID, platform: platform, position: position, key: key, state: state)
                        _ = state.watching.withLock { $0.remove(key) }
                    }
                }
                guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: rescan) })) != nil else { break }
            }
            group.cancelAll()
        }
    }

    /// Every feed position of enabled sources whose connector can long-poll.
    private func positions(of platforms: [Platform]) async throws -> [(UUID, Platform, String)] {
        let sources = try await SyncedSource.query(on: store.database).filter(\.$enabled == true).filter(\.$platform ~~ platforms)
            .filter(\.$feedCursor != nil).all()
        return sources.flatMap { source -> [(UUID, Platform, String)] in
            guard let id = source.id, let cursor = source.feedCursor.flatMap(FeedCursor.init(encoded:)) else { return [] }
            return cursor.positions.values.sorted().map { (id, source.platform, $0) }
        }
    }

    private func watch(_ sourceID: UUID, platform: Platform, position: String, key: String, state: State) async {
        guard let connector = try? connectors.connector(platform) as? any LongpollConnector else { return }
        if let last = state.requested.withLock({ $0[key] }), Date().timeIntervalSince(last) < quietAfterRequest {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(quietAfterRequest - Date().timeIntervalSince(last))) }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // The run moved the bookmark on: the rescan waits on the new position instead.
            guard let source = try? await SyncedSource.find(sourceID, on: store.database), source.enabled,
                source.feedCursor.flatMap(FeedCursor.init(encoded:))?.positions.values.contains(position) == true
            else { return }
            do {
                let answer = try await cancelWhenGracefulShutdown { try await connector.waitForChange(after: position, seconds: waitSeconds) }
                if answer.changed {
                    try await schedule.request(sourceID)
                    state.requested.withLock { $0[key] = Date() }
                    return
                }
                if let backoff = answer.backoff { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(backoff)) } }
            } catch is CancellationError {
                return
            } catch ConnectorError.feedReset {
                // The run finds the reset too and compares in full.
                try? await schedule.request(sourceID)
                state.requested.withLock { $0[key] = Date() }
                return
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.debug("longpoll failed; waiting before the next", metadata: ["error": "\(type(of: error))"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(10)) }
            }
        }
    }
}

import CirrusCore
import Connectors
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Sync as a service, beside the import workers: due sources are claimed from the store and up
/// to `workers` run at once. A run only lists and decides; the files it finds changed become an
/// import job that the import workers take, like any other.
///
/// A source whose connection is gone or needs reconnecting is paused, not failed: the run says
/// why on the source and the next one, after reconnecting, carries on from there.
struct SyncWorkers: Service {
    let runner: SyncRunner
    let schedule: SyncSchedule
    let workers: Int
    let singleProcess: Bool
    let audit: Audit
    let notifications: NotificationService
    let metrics: MetricsRegistry
    let logger: Logger
    var idleDelay: Duration = .milliseconds(500)

    func run() async throws {
        if singleProcess { try? await schedule.releaseAll() }
        // One loop claims (a query every idle delay, however many workers), and up to `workers`
        // runs go on at once.
        let running = RunningCount()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                var source: SyncedSource?
                if running.value < max(1, workers) {
                    do { source = try await schedule.claim() } catch {
                        logger.warning("sync schedule unavailable", metadata: ["error": "\(type(of: error))"])
                    }
                }
                guard let source, let id = source.id else {
                    guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: idleDelay) })) != nil else { break }
                    continue
                }
                running.add(1)
                group.addTask {
                    defer { running.add(-1) }
                    let heartbeat = Task {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: schedule.heartbeatInterval)
                            if !Task.isCancelled { try? await schedule.heartbeat(id) }
                        }
                    }
                    await runOnce(source)
                    heartbeat.cancel()
                }
            }
            // Shutting down: runs in progress stop; their claims lapse (or are released at the next start).
            group.cancelAll()
        }
    }

    /// Runs one claimed source and records the outcome on it.
    func runOnce(_ source: SyncedSource) async {
        let started = Date()
        let clock = ContinuousClock.now
        // How far behind its schedule the source started: sync lag, for the alert rules.
        metrics.recordSyncLag(max(0, started.timeIntervalSince(source.nextRunAt)), platform: source.platform)
        var changes: SyncChangeCounts?
        var failure: String?
        let outcome: SyncOutcome
        do {
            let result = try await runner.run(source)
            (changes, outcome) = (result.changes, result.outcome)
            metrics.recordSyncChanges(result.changes, platform: source.platform)
            if result.changes.total > 0 {
                await audit.record(
                    .sourceSynced, workspaceID: source.$workspace.id, actorID: source.$user.id, actorEmail: nil, platform: source.platform.rawValue,
                    detail: "Sync of “\(source.category)”: \(result.changes.summary)", clientAddress: nil)
            }
        } catch {
            if Task.isCancelled { return }
            outcome = Self.isPause(error) ? .paused : .failed
            failure = Self.describe(error, platform: source.platform)
            if outcome == .failed {
                await notifications.notify(
                    .syncFailed, userID: source.$user.id, workspaceID: source.$workspace.id, subject: "sync:\(source.id?.uuidString ?? "")",
                    title: "Syncing \u{201C}\(source.category)\u{201D} from \(source.platform.displayName) failed",
                    body: failure ?? "The run failed.", link: .sourcesPage)
                logger.notice(
                    "sync run failed", metadata: ["source": "\(source.id?.uuidString ?? "")", "error": "\(type(of: error))", "code": "\(Self.code(error))"])
            }
        }
        metrics.recordSyncRun(platform: source.platform, outcome: outcome.rawValue, duration: ContinuousClock.now - clock)
        do {
            try await schedule.finish(source, startedAt: started, outcome: outcome, changes: changes, error: failure)
        } catch {
            logger.warning("could not record a sync run; the source runs again once its claim lapses", metadata: ["error": "\(type(of: error))"])
        }
    }

    /// Whether the run waits for the admin (a connection to reconnect or a resource to choose)
    /// rather than failed.
    static func isPause(_ error: any Error) -> Bool {
        switch error {
        case IntegrationError.notConnected, IntegrationError.needsReconnect, IntegrationError.noResource, ConnectorError.invalidGrant: true
        default: false
        }
    }

    /// What the source shows about a run that did not finish.
    static func describe(_ error: any Error, platform: Platform) -> String {
        switch error {
        case IntegrationError.notConnected, IntegrationError.needsReconnect, ConnectorError.invalidGrant:
            "Paused: connect \(platform.displayName) again to resume syncing."
        case let error as any UserFacingError: String(error.safeMessage.prefix(500))
        default: "The sync stopped on an unexpected error; it is tried again at the next run."
        }
    }

    private static func code(_ error: any Error) -> String {
        (error as? any UserFacingError)?.code ?? "unexpected"
    }
}

/// How many runs this process has going.
private final class RunningCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add(_ delta: Int) { count.withLock { $0 += delta } }
}

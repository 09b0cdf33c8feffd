import CirrusCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Import workers as a service: `workers` loops claim items from the store and process them.
/// On start, items a dead process left half-done go back to the queue (all of them on SQLite,
/// where this is the only process; on PostgreSQL those whose lease lapsed, checked again every
/// third of a lease, so a killed process's items are taken over within about a minute).
///
/// Shutdown is bounded: once it begins no new item is claimed, items being worked on get
/// ``grace`` to finish, and the rest are cancelled and handed back to the queue without waiting
/// for them, so SIGTERM ends the process within the grace period whatever a file is doing.
struct ImportWorkers: Service {
    let processor: ImportProcessor
    let queue: ImportQueue
    let workers: Int
    let singleProcess: Bool
    let logger: Logger
    /// How long items in progress may take to finish once shutdown begins.
    var grace: Duration = .seconds(10)
    /// How long an idle worker waits before looking again.
    var idleDelay: Duration = .milliseconds(250)

    func run() async throws {
        let requeued = (try? await queue.requeueAbandoned(all: singleProcess)) ?? 0
        if requeued > 0 { logger.info("resumed unfinished import items", metadata: ["count": "\(requeued)"]) }
        await completeJobsLeftRunning()
        let unfinished = UnfinishedItems()
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, workers) {
                group.addTask { await loop(unfinished: unfinished) }
            }
            group.addTask {
                // On PostgreSQL another process may die: take over its items once their lease lapses,
                // and complete its jobs whose last item it recorded just before dying.
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: queue.heartbeatInterval) })) != nil else { return }
                    _ = try? await queue.requeueAbandoned()
                    await completeJobsLeftRunning()
                }
            }
        }
        let handedBack = unfinished.ids
        if !handedBack.isEmpty {
            do {
                try await queue.release(handedBack)
                logger.info("handed unfinished import items back to the queue", metadata: ["count": "\(handedBack.count)"])
            } catch {
                logger.warning("could not hand import items back; they resume once their lease lapses", metadata: ["error.type": "\(type(of: error))"])
            }
        }
    }

    /// A process that stopped between an item's end and its job's completion left the job running
    /// with nothing to claim; whichever process looks next completes it.
    private func completeJobsLeftRunning() async {
        for job in (try? await queue.jobsLeftRunning()) ?? [] { await processor.completeIfDone(job) }
    }

    private func loop(unfinished: UnfinishedItems) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let item: ImportItem?
            do { item = try await queue.claim() } catch {
                logger.warning("import queue unavailable", metadata: ["error": "\(type(of: error))"])
                item = nil
            }
            guard let item, let id = item.id else {
                // Idle: wait, but wake at once for a shutdown.
                guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: idleDelay) })) != nil else { return }
                continue
            }
            // The item runs in a task of its own so that shutdown can stop waiting for it.
            let work = Task {
                // Renew the lease while the item is worked on, so no other process takes it over.
                let heartbeat = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: queue.heartbeatInterval)
                        if !Task.isCancelled { try? await queue.heartbeat(id) }
                    }
                }
                defer { heartbeat.cancel() }
                await processor.process(item)
            }
            let grace = self.grace
            let finished =
                (try? await firstFinished(
                    {
                        await work.value
                        return true
                    },
                    {
                        try await gracefulShutdown()
                        try await Task.sleep(for: grace)
                        return false
                    })) ?? false
            if !finished {
                work.cancel()
                unfinished.add(id)
                return
            }
        }
    }
}

/// The items this process stopped working on at shutdown, to hand back to the queue.
private final class UnfinishedItems: Sendable {
    private let state = Mutex<[UUID]>([])
    func add(_ id: UUID) { state.withLock { $0.append(id) } }
    var ids: [UUID] { state.withLock { $0 } }
}

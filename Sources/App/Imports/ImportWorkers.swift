import Foundation
import Logging
import ServiceLifecycle

/// Import workers as a service: `workers` loops claim items from the store and process them.
/// On start, items a dead process left half-done go back to the queue (all of them on SQLite,
/// where this is the only process; on PostgreSQL those whose lease lapsed, checked again every
/// third of a lease, so a killed process's items are taken over within about a minute).
struct ImportWorkers: Service {
    let processor: ImportProcessor
    let queue: ImportQueue
    let workers: Int
    let singleProcess: Bool
    let logger: Logger
    /// How long an idle worker waits before looking again.
    var idleDelay: Duration = .milliseconds(250)

    func run() async throws {
        let requeued = (try? await queue.requeueAbandoned(all: singleProcess)) ?? 0
        if requeued > 0 { logger.info("resumed unfinished import items", metadata: ["count": "\(requeued)"]) }
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, workers) {
                group.addTask { await loop() }
            }
            group.addTask {
                // On PostgreSQL another process may die: take over its items once their lease lapses.
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: queue.heartbeatInterval) })) != nil else { return }
                    _ = try? await queue.requeueAbandoned()
                }
            }
        }
    }

    private func loop() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let item: ImportItem?
            do { item = try await queue.claim() } catch {
                logger.warning("import queue unavailable", metadata: ["error": "\(type(of: error))"])
                item = nil
            }
            guard let item else {
                // Idle: wait, but wake at once for a shutdown. An item being processed is finished first.
                guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: idleDelay) })) != nil else { return }
                continue
            }
            // Renew the lease while the item is worked on, so no other process takes it over.
            let heartbeat = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: queue.heartbeatInterval)
                    if let id = item.id, !Task.isCancelled { try? await queue.heartbeat(id) }
                }
            }
            await processor.process(item)
            heartbeat.cancel()
        }
    }
}

import CirrusCore
import Foundation
import Hummingbird
import Prometheus

/// The process's Prometheus registry and the HTTP metrics recorded into it.
///
/// Each application has its own registry (no global metrics bootstrap), so several
/// applications in one test process do not mix their figures.
final class MetricsRegistry: Sendable {
    let registry = PrometheusCollectorRegistry()

    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(name: "http_requests_total", labels: labels, help: "HTTP requests served").increment()
        registry.makeDurationHistogram(
            name: "http_request_duration_seconds", labels: [("method", method), ("route", route)],
            buckets: Self.durationBuckets, help: "Time to produce a response"
        ).recordNanoseconds(duration.nanoseconds)
    }

    func recordOAuth(platform: Platform, result: String) {
        registry.makeCounter(
            name: "cirrus_oauth_connections_total", labels: [("platform", platform.rawValue), ("result", result)],
            help: "OAuth connect attempts by outcome"
        ).increment()
    }

    /// A request refused by ``RateLimiter``; `scope` is the allowance it went over (user or workspace).
    func recordRateLimited(action: String, scope: String) {
        registry.makeCounter(
            name: "cirrus_rate_limited_total", labels: [("action", action), ("scope", scope)], help: "Requests refused by a rate limit"
        ).increment()
    }

    func recordRefresh(platform: Platform, result: String) {
        registry.makeCounter(
            name: "cirrus_token_refreshes_total", labels: [("platform", platform.rawValue), ("result", result)],
            help: "Access token refreshes by outcome"
        ).increment()
    }

    func recordImportedFile(state: ImportItemState, platform: Platform) {
        registry.makeCounter(
            name: "cirrus_import_files_total", labels: [("platform", platform.rawValue), ("state", state.rawValue)],
            help: "Imported files by final state"
        ).increment()
    }

    /// Files take seconds to minutes (a large PDF with OCR), longer than requests do; sync runs
    /// may start up to half an hour late before it hardly matters how late.
    static let slowDurationBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1800),
    ]

    func recordImportFileDuration(_ duration: Duration, state: ImportItemState, platform: Platform) {
        registry.makeDurationHistogram(
            name: "cirrus_import_file_duration_seconds", labels: [("platform", platform.rawValue), ("state", state.rawValue)],
            buckets: Self.slowDurationBuckets, help: "Time to import one file, from a worker taking it to its final state"
        ).recordNanoseconds(duration.nanoseconds)
    }

    func recordImportBytes(_ bytes: Int64, platform: Platform) {
        registry.makeCounter(
            name: "cirrus_import_downloaded_bytes_total", labels: [("platform", platform.rawValue)],
            help: "Bytes downloaded from providers by imports"
        ).increment(by: Int64(bytes))
    }

    func recordImportStage(_ stage: String, platform: Platform, duration: Duration) {
        registry.makeDurationHistogram(
            name: "cirrus_import_stage_duration_seconds", labels: [("platform", platform.rawValue), ("stage", stage)],
            buckets: Self.durationBuckets, help: "Time per import stage (download, extract, index)"
        ).recordNanoseconds(duration.nanoseconds)
    }

    func recordQuestion(mode: String, answered: Bool) {
        registry.makeCounter(
            name: "cirrus_chat_questions_total", labels: [("mode", mode), ("outcome", answered ? "answered" : "unknown")],
            help: "Questions asked, by answer mode (extractive, llm) and outcome (answered, unknown)"
        ).increment()
    }

    func recordRetrieval(duration: Duration) {
        registry.makeDurationHistogram(
            name: "cirrus_chat_retrieval_seconds", labels: [], buckets: Self.durationBuckets,
            help: "Time to embed a question, search and read the passages"
        ).recordNanoseconds(duration.nanoseconds)
    }

    func recordSyncRun(platform: Platform, outcome: String, duration: Duration) {
        registry.makeCounter(
            name: "cirrus_sync_runs_total", labels: [("platform", platform.rawValue), ("outcome", outcome)],
            help: "Sync runs by outcome: feed_quiet (the change feed had nothing for the source), feed_changed or reconciled (compared in full), paused, failed"
        ).increment()
        registry.makeDurationHistogram(
            name: "cirrus_sync_run_duration_seconds", labels: [("platform", platform.rawValue)], buckets: Self.durationBuckets,
            help: "Time to list a synced source and decide its changes"
        ).recordNanoseconds(duration.nanoseconds)
    }

    func recordSyncLag(_ seconds: TimeInterval, platform: Platform) {
        registry.makeDurationHistogram(
            name: "cirrus_sync_start_delay_seconds", labels: [("platform", platform.rawValue)], buckets: Self.slowDurationBuckets,
            help: "How long after its scheduled time a synced source's run began"
        ).recordNanoseconds(Int64(seconds * 1e9))
    }

    func recordPush(platform: Platform, outcome: String) {
        registry.makeCounter(
            name: "cirrus_push_messages_total", labels: [("platform", platform.rawValue), ("outcome", outcome)],
            help: "Push messages from providers (challenge, verified, refused) and push channels opened or refused"
        ).increment()
    }

    func recordSyncChanges(_ changes: SyncChangeCounts, platform: Platform) {
        for (kind, count) in [
            ("added", changes.added), ("updated", changes.updated), ("renamed", changes.renamed), ("moved", changes.moved),
            ("removed", changes.removed),
        ] where count > 0 {
            registry.makeCounter(
                name: "cirrus_sync_changes_total", labels: [("platform", platform.rawValue), ("kind", kind)],
                help: "Changes at the providers applied by sync, by kind"
            ).increment(by: Int64(count))
        }
    }

    /// The Prometheus text exposition of every metric.
    func render() -> String {
        registry.emitToString()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Counts requests and measures their latency by method, matched route (not raw path, so
/// label values stay bounded) and status.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: MetricsRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
            status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}

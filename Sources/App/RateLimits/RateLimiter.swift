import Foundation
import Hummingbird
import SQLKit

/// Counts expensive requests per person (or API key) and per workspace in the store, so every
/// process on one PostgreSQL database counts together. Each key has a count per minute; the
/// allowance is judged over the last sixty seconds by weighing the previous minute's count by
/// how much of it is still inside them (the sliding-window estimate), two rows per key at most.
///
/// A refused request is not counted, so after `Retry-After` seconds (with nothing else sent)
/// the same request is let through.
struct RateLimiter: Sendable {
    let store: Store
    let limits: RateLimits
    let metrics: MetricsRegistry
    var clock: @Sendable () -> Date = { Date() }

    /// Throws ``RateLimitError/limited(_:retryAfterSeconds:)`` if `identity` or its workspace is
    /// over the allowance for `action`; otherwise counts the request.
    func admit(_ action: RateLimits.Action, for identity: Identity) async throws {
        guard let limit = limits.limits[action] else { return }
        let caller: String = if case .apiKey(let id, _) = identity.method { "key:\(id)" } else { "user:\(identity.userID)" }
        let buckets = [
            (key: "\(caller):\(action.rawValue)", limit: limit.perUser, scope: "user"),
            (key: "workspace:\(identity.workspaceID):\(action.rawValue)", limit: limit.perWorkspace, scope: "workspace"),
        ].filter { $0.limit > 0 }
        guard !buckets.isEmpty else { return }

        let now = clock().timeIntervalSince1970
        let window = Int64(RateLimits.window)
        let current = Int64(now) / window * window
        let elapsed = now - Double(current)
        let sql = store.sql
        var counts: [Int] = []
        for bucket in buckets {
            let row = try await sql.raw(
                """
                INSERT INTO rate_limit_counts (bucket, window_start, count) VALUES (\(bind: bucket.key), \(bind: current), 1)
                ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counts.count + 1
                RETURNING count
                """
            ).first()
            counts.append(try row?.decode(column: "count", as: Int.self) ?? 1)
        }
        let previousRows = try await sql.select().columns("bucket", "count").from("rate_limit_counts")
            .where("window_start", .equal, current - window).where("bucket", .in, buckets.map(\.key)).all()
        var previous: [String: Int] = [:]
        for row in previousRows { previous[try row.decode(column: "bucket", as: String.self)] = try row.decode(column: "count", as: Int.self) }

        var wait = 0
        var exceeded = ""
        for (index, bucket) in buckets.enumerated() {
            let seconds = Self.wait(
                limit: bucket.limit, current: counts[index], previous: previous[bucket.key] ?? 0, elapsed: elapsed, window: RateLimits.window)
            if seconds > wait { (wait, exceeded) = (seconds, bucket.scope) }
        }
        guard wait > 0 else { return }
        for bucket in buckets {
            try await sql.raw(
                "UPDATE rate_limit_counts SET count = count - 1 WHERE bucket = \(bind: bucket.key) AND window_start = \(bind: current)"
            ).run()
        }
        metrics.recordRateLimited(action: action.rawValue, scope: exceeded)
        throw RateLimitError.limited(action, retryAfterSeconds: wait)
    }

    /// Seconds until a request is let through again, or 0 if this one (counted in `current`)
    /// is: `previous` weighs by the part of the last minute still inside the window.
    static func wait(limit: Int, current: Int, previous: Int, elapsed: TimeInterval, window: TimeInterval) -> Int {
        let estimate = Double(previous) * (1 - elapsed / window) + Double(current)
        guard estimate > Double(limit) else { return 0 }
        // Later in this minute, as the previous one weighs less (this request not counted).
        if current <= limit, previous > 0 {
            let at = window * (1 - Double(limit - current) / Double(previous))
            if at < window { return max(1, Int((at - elapsed).rounded(.up))) }
        }
        // Next minute, when this one's count (without this request) becomes the previous one.
        let kept = current - 1
        let into = kept <= limit - 1 ? 0 : window * (1 - Double(limit - 1) / Double(kept))
        return max(1, Int((window - elapsed + into).rounded(.up)))
    }

    /// Forgets counts older than the window before last.
    func purge() async throws {
        let cutoff = Int64(clock().timeIntervalSince1970) - 2 * Int64(RateLimits.window)
        try await store.sql.delete(from: "rate_limit_counts").where("window_start", .lessThan, cutoff).run()
    }
}

/// Applies ``RateLimiter`` to the expensive routes, named here in one table; runs after
/// routing on the signed-in pages and API, so it judges the route's pattern.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: RateLimiter

    /// `METHOD pattern` → what it costs.
    static let table: [String: RateLimits.Action] = {
        let entries: [(HTTPRequest.Method, SiteRoute, RateLimits.Action)] = [
            (.get, .connect(nil), .connect), (.post, .connect(nil), .connect),
            (.get, .files(nil), .browse), (.get, .filePreview(nil, nil), .browse),
            (.post, .startImport(nil), .import), (.post, .reimport(nil), .import), (.post, .reimportForm(nil), .import),
            (.post, .syncSource(nil), .sync), (.post, .syncSourceForm(nil), .sync),
            (.post, .chat, .chat), (.post, .conversations, .chat), (.post, .conversationMessages(nil), .chat),
            (.post, .chatPage, .chat), (.post, .chatStream, .chat),
        ]
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.1.endpointKey($0.0), $0.2) })
    }()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let identity = context.identity, let endpoint = context.endpointPath, let action = Self.table[SiteRoute.endpointKey(request.method, endpoint)] {
            try await limiter.admit(action, for: identity)
        }
        return try await next(request, context)
    }
}

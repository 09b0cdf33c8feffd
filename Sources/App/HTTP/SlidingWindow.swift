import Foundation

/// Events per key in a sliding time window, for rate limits (failed sign-ins, widget
/// questions): how long until a key is under its limit again, and a record that forgets the
/// keys seen longest ago once it holds `capacity` of them, so a flood of made-up keys cannot
/// exhaust memory. Not thread-safe: each limiter (an actor) owns its windows.
struct SlidingWindow: Sendable {
    let window: TimeInterval
    let capacity: Int
    /// Events kept per key at most: more than the largest limit tell nothing more.
    let keptPerKey: Int
    private(set) var events: [String: [Date]] = [:]

    init(window: TimeInterval, capacity: Int, keptPerKey: Int) {
        self.window = window
        self.capacity = capacity
        self.keptPerKey = keptPerKey
    }

    /// Keys tracked now.
    var count: Int { events.count }

    /// Seconds until the oldest event that keeps `key` at or over `limit` leaves the window; 0
    /// if it is under. Events that have left the window are dropped on the way.
    mutating func wait(_ key: String, limit: Int, now: Date) -> Int {
        let recent = (events[key] ?? []).filter { now.timeIntervalSince($0) < window }
        events[key] = recent.isEmpty ? nil : recent
        guard recent.count >= limit else { return 0 }
        let freesAt = recent[recent.count - limit].addingTimeInterval(window)
        return max(1, Int(freesAt.timeIntervalSince(now).rounded(.up)))
    }

    mutating func record(_ key: String, now: Date) {
        events[key] = Array((events[key, default: []] + [now]).suffix(keptPerKey))
        guard events.count > capacity else { return }
        // Forget the tenth of keys whose latest event is oldest (amortised: once per capacity/10 new keys).
        let evicted = events.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }.prefix(max(1, capacity / 10))
        for (key, _) in evicted { events[key] = nil }
    }

    mutating func forget(_ key: String) {
        events[key] = nil
    }
}

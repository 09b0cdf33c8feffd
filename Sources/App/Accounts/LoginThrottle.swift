import Foundation

/// Counts failed sign-ins per account and per client address in a sliding window, and says
/// when to stop trying. An address gets four times an account's allowance, so one office
/// behind a NAT is not locked out by one person's typos, while a password spray still is.
///
/// Addresses are counted as ``IPAddress/throttleKey(_:)`` groups them (IPv6 by /64). Each table
/// holds at most `capacity` keys; past that the least recently failed are forgotten, so a flood
/// of made-up accounts or addresses cannot exhaust memory.
///
/// Kept in memory per process: a restart forgets, which only ever errs towards letting a person in.
actor LoginThrottle {
    private let maxFailures: Int
    private let window: TimeInterval
    private let capacity: Int
    private var failuresByAccount: [String: [Date]] = [:]
    private var failuresByAddress: [String: [Date]] = [:]

    init(maxFailures: Int, windowSeconds: Int, capacity: Int = 10_000) {
        self.maxFailures = maxFailures
        self.window = TimeInterval(windowSeconds)
        self.capacity = capacity
    }

    /// Keys currently tracked, per table (for tests of the bound).
    var trackedKeys: (accounts: Int, addresses: Int) { (failuresByAccount.count, failuresByAddress.count) }

    /// Throws ``AuthError/tooManyAttempts(retryAfterSeconds:)`` if either key is over its allowance.
    func check(account: String, address: String?, now: Date = Date()) throws(AuthError) {
        let accountWait = wait(in: &failuresByAccount, key: account, limit: maxFailures, now: now)
        let addressWait = address.map { wait(in: &failuresByAddress, key: IPAddress.throttleKey($0), limit: maxFailures * 4, now: now) } ?? 0
        let retryAfter = max(accountWait, addressWait)
        if retryAfter > 0 { throw .tooManyAttempts(retryAfterSeconds: retryAfter) }
    }

    /// Counts a failure; `account` is `nil` when the address given was not even shaped like one.
    func recordFailure(account: String?, address: String?, now: Date = Date()) {
        if let account { record(in: &failuresByAccount, key: account, now: now) }
        if let address { record(in: &failuresByAddress, key: IPAddress.throttleKey(address), now: now) }
    }

    private func record(in table: inout [String: [Date]], key: String, now: Date) {
        // More failures than the largest allowance tell nothing more: keep the newest.
        table[key] = Array((table[key, default: []] + [now]).suffix(maxFailures * 8))
        guard table.count > capacity else { return }
        // Forget the tenth of keys whose latest failure is oldest (amortised: once per capacity/10 new keys).
        let evicted = table.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }.prefix(max(1, capacity / 10))
        for (key, _) in evicted { table[key] = nil }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    func recordSuccess(account: String) {
        failuresByAccount[account] = nil
    }

    /// Seconds until the oldest failure that keeps `key` over `limit` leaves the window; 0 if not over.
    private func wait(in table: inout [String: [Date]], key: String, limit: Int, now: Date) -> Int {
        let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
        table[key] = recent.isEmpty ? nil : recent
        guard recent.count >= limit else { return 0 }
        let freesAt = recent[recent.count - limit].addingTimeInterval(window)
        return max(1, Int(freesAt.timeIntervalSince(now).rounded(.up)))
    }
}

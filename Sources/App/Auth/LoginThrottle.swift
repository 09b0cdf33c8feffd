import Foundation

/// Counts failed sign-ins per account and per client address in a sliding window, and says
/// when to stop trying. An address gets four times an account's allowance, so one office
/// behind a NAT is not locked out by one person's typos, while a password spray still is.
///
/// Kept in memory per process: a restart forgets, which only ever errs towards letting a person in.
actor LoginThrottle {
    private let maxFailures: Int
    private let window: TimeInterval
    private var failuresByAccount: [String: [Date]] = [:]
    private var failuresByAddress: [String: [Date]] = [:]

    init(maxFailures: Int, windowSeconds: Int) {
        self.maxFailures = maxFailures
        self.window = TimeInterval(windowSeconds)
    }

    /// Throws ``AuthError/tooManyAttempts(retryAfterSeconds:)`` if either key is over its allowance.
    func check(account: String, address: String?, now: Date = Date()) throws(AuthError) {
        let accountWait = wait(in: &failuresByAccount, key: account, limit: maxFailures, now: now)
        let addressWait = address.map { wait(in: &failuresByAddress, key: $0, limit: maxFailures * 4, now: now) } ?? 0
        let retryAfter = max(accountWait, addressWait)
        if retryAfter > 0 { throw .tooManyAttempts(retryAfterSeconds: retryAfter) }
    }

    func recordFailure(account: String, address: String?, now: Date = Date()) {
        failuresByAccount[account, default: []].append(now)
        if let address { failuresByAddress[address, default: []].append(now) }
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

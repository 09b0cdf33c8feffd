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
    private var failuresByAccount: SlidingWindow
    private var failuresByAddress: SlidingWindow

    init(maxFailures: Int, windowSeconds: Int, capacity: Int = 10_000) {
        self.maxFailures = maxFailures
        // More failures than the largest allowance tell nothing more: the newest are kept.
        let window = SlidingWindow(window: TimeInterval(windowSeconds), capacity: capacity, keptPerKey: maxFailures * 8)
        (failuresByAccount, failuresByAddress) = (window, window)
    }

    /// Keys currently tracked, per table (for tests of the bound).
    var trackedKeys: (accounts: Int, addresses: Int) { (failuresByAccount.count, failuresByAddress.count) }

    /// Throws ``AuthError/tooManyAttempts(retryAfterSeconds:)`` if either key is over its allowance.
    func check(account: String, address: String?, now: Date = Date()) throws(AuthError) {
        let accountWait = failuresByAccount.wait(account, limit: maxFailures, now: now)
        let addressWait = address.map { failuresByAddress.wait(IPAddress.throttleKey($0), limit: maxFailures * 4, now: now) } ?? 0
        let retryAfter = max(accountWait, addressWait)
        if retryAfter > 0 { throw .tooManyAttempts(retryAfterSeconds: retryAfter) }
    }

    /// Counts a failure; `account` is `nil` when the address given was not even shaped like one.
    func recordFailure(account: String?, address: String?, now: Date = Date()) {
        if let account { failuresByAccount.record(account, now: now) }
        if let address { failuresByAddress.record(IPAddress.throttleKey(address), now: now) }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    func recordSuccess(account: String) {
        failuresByAccount.forget(account)
    }
}

import Foundation

/// When and how long to wait before trying a provider call again.
///
/// Every provider call goes through one policy: transient statuses (429 and 5xx gateway
/// errors) and connection failures are retried with exponential backoff and full jitter;
/// a provider's `Retry-After` wins over the computed delay; anything else is permanent.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Whether an HTTP status is worth another attempt.
    public static func isTransient(status: Int) -> Bool {
        status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// The wait before attempt `attempt + 1` (attempts count from 1), or `nil` when out of attempts.
    ///
    /// - Parameters:
    ///   - retryAfter: the provider's `Retry-After` header, if any (seconds or an HTTP date).
    ///   - random: a number in `0..<1` for the jitter; tests pass a fixed one.
    public func delay(afterAttempt attempt: Int, retryAfter: String? = nil, now: Date = Date(), random: Double = .random(in: 0..<1)) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter, let wait = Self.parseRetryAfter(retryAfter, now: now) {
            return min(wait, maxDelay)
        }
        let exponent = min(attempt - 1, 30)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        // Full jitter: spreads the retries of many workers hit by the same outage.
        return ceiling * random
    }

    /// `Retry-After` as a duration: delta-seconds (`120`) or an HTTP date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        // A day is longer than any wait we honour (the policy caps it); larger values, however
        // absurd, must not overflow the conversion.
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite {
            return .milliseconds(Int64(min(seconds, 86_400) * 1000))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int64(min(86_400, max(0, date.timeIntervalSince(now))) * 1000))
    }
}

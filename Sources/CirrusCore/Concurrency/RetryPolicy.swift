import Foundation

/// When and how long to wait before trying again: the one backoff policy of Cirrus.
///
/// Provider calls, downloads, the embeddings service and queued import items all go through
/// it: transient statuses (429 and 5xx gateway errors) and connection failures are retried
/// with exponential backoff and full jitter; a server's `Retry-After` wins over the computed
/// delay; anything else is permanent.
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

    /// What one attempt came to.
    public enum Outcome<Value: Sendable>: Sendable {
        case done(Value)
        /// Worth another attempt (a transient status), after the server's `Retry-After` if it
        /// sent one; `value` is the answer to return when no attempt is left.
        case again(retryAfter: String?, otherwise: Value)
    }

    /// The one retry loop: runs `attempt` (numbered from 1) until it is done, waiting between
    /// attempts as the policy says. A thrown error is retried too (a broken connection) unless it
    /// is a cancellation; once out of attempts the last answer is returned, or `giveUp` names the
    /// last error.
    public func run<Value: Sendable>(
        _ attempt: (Int) async throws -> Outcome<Value>, giveUp: (any Error) -> any Error = { $0 }
    ) async throws -> Value {
        var number = 0
        while true {
            number += 1
            do {
                switch try await attempt(number) {
                case .done(let value):
                    return value
                case .again(let retryAfter, let otherwise):
                    guard let wait = delay(afterAttempt: number, retryAfter: retryAfter) else { return otherwise }
                    try await Task.sleep(for: wait)
                }
            } catch let error as CancellationError {
                throw error
            } catch {
                guard let wait = delay(afterAttempt: number) else { throw giveUp(error) }
                try await Task.sleep(for: wait)
            }
        }
    }
}

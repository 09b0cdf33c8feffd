import Foundation
import Testing

@testable import Connectors

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("429 and gateway errors are transient; client errors are not", arguments: [429, 500, 502, 503, 504])
    func transient(status: Int) {
        #expect(RetryPolicy.isTransient(status: status))
    }

    @Test("permanent statuses are not retried", arguments: [400, 401, 403, 404, 409, 410, 501])
    func permanent(status: Int) {
        #expect(!RetryPolicy.isTransient(status: status))
    }

    @Test("backoff doubles up to the cap, scaled by the jitter")
    func backoff() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, random: 0.999_999)! <= .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 9, random: 0.5) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 10) == nil)
    }

    @Test("an absurd Retry-After is capped, not overflowed")
    func hugeRetryAfter() {
        #expect(RetryPolicy.parseRetryAfter("1e300") == .seconds(86_400))
        #expect(RetryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT") == .seconds(86_400))
    }

    @Test("Retry-After in seconds or as an HTTP date wins over backoff")
    func retryAfter() {
        let policy = RetryPolicy()
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT
        #expect(policy.delay(afterAttempt: 1, retryAfter: "7", now: now, random: 0) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "Tue, 14 Nov 2023 22:13:50 GMT", now: now, random: 0) == .seconds(30))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "3600", now: now) == .seconds(60))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }
}
